"""General Block Transfer engines (Green Book 9.4.6.13), sans-io, for either role.

One long APDU travels as ``general-block-transfer`` blocks (:class:`GeneralBlockTransfer`,
tag 0xE0). Each block carries its block number BN (from 1), the block number it
acknowledges BNA (the last block its sender received *in order* from the peer), the window
W (how many blocks its sender can receive before it acknowledges) and the last-block and
streaming bits. The API::

    sender = GbtSender(apdu, block_size=n, window=peer_window, own_window=w, timeout=t)
    blocks = sender.start(now)            # the first window, sent without waiting
    blocks = sender.receive(ack, now)     # an acknowledgement from the receiver
    blocks = sender.handle_timeout(now)   # resend from the last acknowledged block
    sender.state                          # GbtSenderState.DONE once BNA == last block

    receiver = GbtReceiver(window=w, max_size=limit)
    acks = receiver.receive(block, now)   # acknowledgements to send (maybe none)
    acks = receiver.handle_timeout(now)   # ask again for the missing block
    receiver.state, receiver.result       # GbtReceiverState.DONE → the joined APDU

Both take ``now`` from the caller (no clock here) and expose ``next_timeout()``.

Lost-block recovery (Green Book 9.4.6.13): the receiver acknowledges at the end of each
window (a block without the streaming bit, the last block, or W blocks received) with BNA =
its last in-order block; when a block is missing that BNA is lower than what the sender
sent, and the sender resends from BNA + 1. Blocks that arrive early are kept (bounded) so a
reordered window does not have to be resent whole. A sender whose own window is 0 cannot
receive acknowledgements (a push, Green Book 9.4.6.13 "unconfirmed"): it streams every
block at once and is done; a receiver never acknowledges a sender that advertises W = 0.

States and inputs are enums and the transitions live in one table per role
(``SENDER_TRANSITIONS``, ``RECEIVER_TRANSITIONS``); a pair missing from a table is a
:class:`~dlmskit.errors.LocalProtocolError` (the caller fed an engine that is finished or
not started). Peer blocks that break the rules (a BNA beyond the last block, a block number
0, data beyond ``max_size``) raise :class:`~dlmskit.errors.RemoteProtocolError` and leave the
engine in ``FAILED``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Final

from dlmskit.apdu.gbt import GeneralBlockTransfer
from dlmskit.errors import LocalProtocolError, RemoteProtocolError

__all__ = [
    "GBT_OVERHEAD",
    "MAX_WINDOW",
    "RECEIVER_TRANSITIONS",
    "SENDER_TRANSITIONS",
    "GbtReceiver",
    "GbtReceiverInput",
    "GbtReceiverState",
    "GbtSender",
    "GbtSenderInput",
    "GbtSenderState",
    "block_size_for",
]

#: The window field has six bits (block-control bits 5..0).
MAX_WINDOW: Final = 63
#: Octets around the block data: tag E0, block-control, BN (2), BNA (2) and the A-XDR
#: length of block-data (up to 3 octets for the sizes a u16 max PDU allows).
GBT_OVERHEAD: Final = 1 + 1 + 2 + 2 + 3
_MAX_BLOCK_NUMBER: Final = 0xFFFF
#: How far ahead of the next in-order block an early block is kept (two full windows).
_AHEAD: Final = 2 * MAX_WINDOW


def block_size_for(max_pdu: int) -> int:
    """The block-data size that keeps a GBT block within ``max_pdu`` octets."""
    if isinstance(max_pdu, bool) or not isinstance(max_pdu, int):
        raise TypeError(f"max_pdu must be an int, not {type(max_pdu).__name__}")
    if max_pdu <= GBT_OVERHEAD:
        raise ValueError(f"max_pdu must exceed the GBT overhead {GBT_OVERHEAD}, got {max_pdu}")
    return max_pdu - GBT_OVERHEAD


def _check_int(name: str, value: object, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < low or (high is not None and value > high):
        limit = f"{low}..{high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be {limit}, got {value}")
    return value


def _check_block(block: object) -> GeneralBlockTransfer:
    if not isinstance(block, GeneralBlockTransfer):
        raise TypeError(f"block must be a GeneralBlockTransfer, not {type(block).__name__}")
    return block


# --- sender --------------------------------------------------------------------------------


class GbtSenderState(Enum):
    IDLE = "idle"  # built, nothing sent
    SENDING = "sending"  # blocks out, waiting for acknowledgements
    DONE = "done"  # the peer acknowledged the last block (or no acknowledgement expected)
    FAILED = "failed"  # retries exhausted or the peer broke the rules


class GbtSenderInput(Enum):
    START = "start"  # local: send the first window
    ACK = "ack"  # peer: a block carrying an acknowledgement
    TIMEOUT = "timeout"  # local: the retransmission deadline passed


class GbtSender:
    """Sends one APDU as GBT blocks and resends what the receiver did not get.

    ``window`` is the receiver's window (negotiated or advertised; each acknowledgement
    updates it), ``own_window`` the window this side advertises in its blocks (0: this
    side cannot receive, so nothing is acknowledged and :meth:`start` sends every block).
    ``block_number_ack`` is carried in every block (the last block this side received from
    the peer, 0 for none). After ``max_retries`` timeouts without progress the sender fails.
    """

    def __init__(
        self,
        apdu: bytes,
        *,
        block_size: int,
        window: int = 1,
        own_window: int = 1,
        timeout: float = 5.0,
        max_retries: int = 3,
        block_number_ack: int = 0,
    ) -> None:
        if not isinstance(apdu, bytes | bytearray | memoryview):
            raise TypeError(f"apdu must be bytes, not {type(apdu).__name__}")
        data = bytes(apdu)
        _check_int("block_size", block_size, 1)
        self._window = _check_int("window", window, 1, MAX_WINDOW)
        self._own_window = _check_int("own_window", own_window, 0, MAX_WINDOW)
        self._bna = _check_int("block_number_ack", block_number_ack, 0, _MAX_BLOCK_NUMBER)
        self._max_retries = _check_int("max_retries", max_retries, 0)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        self._timeout = float(timeout)
        self._chunks = [data[i : i + block_size] for i in range(0, len(data), block_size)] or [b""]
        if len(self._chunks) > _MAX_BLOCK_NUMBER:
            raise ValueError(
                f"apdu needs {len(self._chunks)} blocks of {block_size} octets; block numbers "
                f"stop at {_MAX_BLOCK_NUMBER}"
            )
        self._state = GbtSenderState.IDLE
        self._acked = 0  # highest block number the receiver acknowledged
        self._retries = 0
        self._answered: int | None = None  # the BNA last answered with a window
        self._deadline: float | None = None

    @property
    def state(self) -> GbtSenderState:
        return self._state

    @property
    def block_count(self) -> int:
        """How many blocks the APDU takes."""
        return len(self._chunks)

    @property
    def acknowledged(self) -> int:
        """The highest block number the receiver acknowledged so far."""
        return self._acked

    def start(self, now: float) -> list[GeneralBlockTransfer]:
        """The first window (every block when ``own_window`` is 0)."""
        return self._dispatch(GbtSenderInput.START, None, now)

    def receive(self, block: GeneralBlockTransfer, now: float) -> list[GeneralBlockTransfer]:
        """An acknowledgement from the receiver: the blocks to send next (maybe none).

        Only BNA and the window are read; data the peer may carry in the same block (the
        start of its own answer) is the caller's.
        """
        return self._dispatch(GbtSenderInput.ACK, _check_block(block), now)

    def next_timeout(self) -> float | None:
        """When :meth:`handle_timeout` should be called (``None``: nothing outstanding)."""
        return self._deadline

    def handle_timeout(self, now: float) -> list[GeneralBlockTransfer]:
        """Resend from the last acknowledged block if the deadline passed."""
        if self._deadline is None or now < self._deadline:
            return []
        return self._dispatch(GbtSenderInput.TIMEOUT, None, now)

    # --- the machine ---------------------------------------------------------------------

    def _dispatch(
        self, what: GbtSenderInput, block: GeneralBlockTransfer | None, now: float
    ) -> list[GeneralBlockTransfer]:
        entry = SENDER_TRANSITIONS.get((self._state, what))
        if entry is None:
            raise LocalProtocolError(
                f"GBT sender: {what.value} is not allowed in state {self._state.name}"
            )
        handler, targets = entry
        out: list[GeneralBlockTransfer] = []
        try:
            handler(self, block, now, out)
        except RemoteProtocolError:
            self._state = GbtSenderState.FAILED
            self._deadline = None
            raise
        assert self._state in targets, (self._state, what)  # the table is the contract
        return out

    def _window_from(self, first: int, now: float, out: list[GeneralBlockTransfer]) -> None:
        # One window from `first`; the streaming bit says "more blocks of this window
        # follow" (Green Book 9.4.6.13), so the window's last block goes without it.
        last = len(self._chunks) if self._own_window == 0 else first + self._window - 1
        last = min(last, len(self._chunks))
        for number in range(first, last + 1):
            out.append(
                GeneralBlockTransfer.of(
                    last_block=number == len(self._chunks),
                    streaming=number != last,
                    window=self._own_window,
                    block_number=number,
                    block_number_ack=self._bna,
                    block_data=self._chunks[number - 1],
                )
            )
        self._deadline = now + self._timeout

    def _on_start(
        self, _: GeneralBlockTransfer | None, now: float, out: list[GeneralBlockTransfer]
    ) -> None:
        self._window_from(1, now, out)
        if self._own_window == 0:  # nobody can acknowledge: streamed and done
            self._state, self._deadline = GbtSenderState.DONE, None
        else:
            self._state = GbtSenderState.SENDING

    def _on_ack(
        self, block: GeneralBlockTransfer | None, now: float, out: list[GeneralBlockTransfer]
    ) -> None:
        assert block is not None
        bna = block.block_number_ack
        if bna > len(self._chunks):
            raise RemoteProtocolError(
                f"GBT acknowledgement of block {bna}, but only {len(self._chunks)} were sent"
            )
        if block.window:  # the receiver may change its window with any block
            self._window = block.window
        if bna < self._acked:  # an old acknowledgement overtaken by a newer one
            return
        if bna == self._answered:
            # The same BNA again (a duplicate, or one acknowledgement per block from a
            # receiver with a smaller window): already answered; resending again for
            # each copy would multiply the blocks in flight. The timer covers a loss.
            return
        if bna > self._acked:
            self._acked, self._retries = bna, 0
        if self._acked == len(self._chunks):
            self._state, self._deadline = GbtSenderState.DONE, None
            return
        # Either the end of a window (continue) or the receiver misses block BNA + 1
        # (resend from there): both are "send the window that starts after BNA".
        self._answered = bna
        self._window_from(self._acked + 1, now, out)

    def _on_timeout(
        self, _: GeneralBlockTransfer | None, now: float, out: list[GeneralBlockTransfer]
    ) -> None:
        self._retries += 1
        self._answered = None  # after a resend, the same BNA may ask again
        if self._retries > self._max_retries:
            self._state, self._deadline = GbtSenderState.FAILED, None
            return
        self._window_from(self._acked + 1, now, out)

    def _ignore(
        self, _: GeneralBlockTransfer | None, now: float, out: list[GeneralBlockTransfer]
    ) -> None:
        """A late acknowledgement after the end (duplicated or delayed by the link)."""


_SenderHandler = Callable[
    [GbtSender, GeneralBlockTransfer | None, float, list[GeneralBlockTransfer]], None
]
_S, _SI = GbtSenderState, GbtSenderInput

#: (state, input) → (handler, the states the handler may leave the sender in).
SENDER_TRANSITIONS: Final[
    dict[tuple[GbtSenderState, GbtSenderInput], tuple[_SenderHandler, frozenset[GbtSenderState]]]
] = {
    (_S.IDLE, _SI.START): (GbtSender._on_start, frozenset({_S.SENDING, _S.DONE})),
    (_S.SENDING, _SI.ACK): (GbtSender._on_ack, frozenset({_S.SENDING, _S.DONE})),
    (_S.SENDING, _SI.TIMEOUT): (GbtSender._on_timeout, frozenset({_S.SENDING, _S.FAILED})),
    (_S.DONE, _SI.ACK): (GbtSender._ignore, frozenset({_S.DONE})),
    (_S.FAILED, _SI.ACK): (GbtSender._ignore, frozenset({_S.FAILED})),
}


# --- receiver ------------------------------------------------------------------------------


class GbtReceiverState(Enum):
    RECEIVING = "receiving"
    DONE = "done"  # every block up to the last one joined: :attr:`GbtReceiver.result`
    FAILED = "failed"  # the peer broke the rules or the size bound


class GbtReceiverInput(Enum):
    BLOCK = "block"  # peer: a GBT block
    TIMEOUT = "timeout"  # local: no block for `timeout` seconds while blocks are missing


class GbtReceiver:
    """Joins the blocks of one APDU, in order, and acknowledges them.

    ``window`` is the window this side advertises (1..63); ``own_block_number`` is the
    block number its acknowledgements carry (it sends no data of its own here).
    ``max_size`` bounds the joined APDU and ``max_blocks`` the block numbers accepted.
    ``timeout`` (seconds, optional) re-sends the acknowledgement while blocks are missing,
    so that a lost end-of-window block does not wait for the sender's timer alone.
    """

    def __init__(
        self,
        *,
        window: int = 1,
        max_size: int = 4 << 20,
        max_blocks: int = _MAX_BLOCK_NUMBER,
        timeout: float | None = None,
        own_block_number: int = 1,
    ) -> None:
        self._window = _check_int("window", window, 1, MAX_WINDOW)
        self._max_size = _check_int("max_size", max_size, 0)
        self._max_blocks = _check_int("max_blocks", max_blocks, 1, _MAX_BLOCK_NUMBER)
        self._own_bn = _check_int("own_block_number", own_block_number, 0, _MAX_BLOCK_NUMBER)
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0
        ):
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        self._timeout = None if timeout is None else float(timeout)
        self._state = GbtReceiverState.RECEIVING
        self._data = bytearray()
        self._early: dict[int, bytes] = {}  # blocks beyond the next in-order one
        self._early_size = 0
        self._expected = 1  # the next in-order block number
        self._last: int | None = None  # the number of the block with last-block set
        self._since_ack = 0
        self._peer_window = 1
        self._deadline: float | None = None

    @property
    def state(self) -> GbtReceiverState:
        return self._state

    @property
    def result(self) -> bytes | None:
        """The joined APDU once :attr:`state` is DONE, else ``None``."""
        return bytes(self._data) if self._state is GbtReceiverState.DONE else None

    @property
    def in_order(self) -> int:
        """The last block number received in order (what the acknowledgements carry)."""
        return self._expected - 1

    def receive(self, block: GeneralBlockTransfer, now: float) -> list[GeneralBlockTransfer]:
        """One block from the sender: the acknowledgements to send back (maybe none)."""
        return self._dispatch(GbtReceiverInput.BLOCK, _check_block(block), now)

    def next_timeout(self) -> float | None:
        return self._deadline

    def handle_timeout(self, now: float) -> list[GeneralBlockTransfer]:
        """Acknowledge again (BNA = last in-order block) if the deadline passed."""
        if self._deadline is None or now < self._deadline:
            return []
        return self._dispatch(GbtReceiverInput.TIMEOUT, None, now)

    # --- the machine ---------------------------------------------------------------------

    def _dispatch(
        self, what: GbtReceiverInput, block: GeneralBlockTransfer | None, now: float
    ) -> list[GeneralBlockTransfer]:
        entry = RECEIVER_TRANSITIONS.get((self._state, what))
        if entry is None:
            raise LocalProtocolError(
                f"GBT receiver: {what.value} is not allowed in state {self._state.name}"
            )
        handler, targets = entry
        out: list[GeneralBlockTransfer] = []
        try:
            handler(self, block, now, out)
        except RemoteProtocolError:
            self._state = GbtReceiverState.FAILED
            self._deadline = None
            self._early.clear()
            raise
        assert self._state in targets, (self._state, what)
        return out

    def _ack(self, out: list[GeneralBlockTransfer]) -> None:
        self._since_ack = 0
        if self._peer_window == 0:  # the sender cannot receive (a push): stay silent
            return
        out.append(
            GeneralBlockTransfer.of(
                last_block=False,
                streaming=False,
                window=self._window,
                block_number=self._own_bn,
                block_number_ack=self.in_order,
                block_data=b"",
            )
        )

    def _on_block(
        self, block: GeneralBlockTransfer | None, now: float, out: list[GeneralBlockTransfer]
    ) -> None:
        assert block is not None
        number = block.block_number
        self._peer_window = block.window
        if number == 0 or number > self._max_blocks:
            raise RemoteProtocolError(f"GBT block number {number} is outside 1..{self._max_blocks}")
        if self._last is not None and number > self._last:
            raise RemoteProtocolError(f"GBT block {number} after the last block {self._last}")
        if block.last_block:
            if self._last is not None and number != self._last:
                raise RemoteProtocolError(
                    f"GBT last block {number}, but block {self._last} was the last"
                )
            if number < self._expected - 1 or any(n > number for n in self._early):
                raise RemoteProtocolError(f"GBT last block {number} below blocks received")
            self._last = number
        self._since_ack += 1
        if self._expected <= number <= self._expected + _AHEAD and number not in self._early:
            size = len(block.block_data)
            if len(self._data) + self._early_size + size > self._max_size:
                raise RemoteProtocolError(f"GBT blocks exceed the bound of {self._max_size} octets")
            self._early[number] = bytes(block.block_data)
            self._early_size += size
            while self._expected in self._early:  # join what is now in order
                chunk = self._early.pop(self._expected)
                self._early_size -= len(chunk)
                self._data += chunk
                self._expected += 1
        # Blocks below the expected number are duplicates; blocks too far ahead are
        # dropped (the sender resends them after the acknowledgement).
        if self._last is not None and self._expected > self._last:
            self._state, self._deadline = GbtReceiverState.DONE, None
            self._ack(out)  # the final acknowledgement: BNA = the last block
            return
        if not block.streaming or block.last_block or self._since_ack >= self._window:
            self._ack(out)  # end of a window; a BNA below it asks for the missing block
        if self._timeout is not None:
            self._deadline = now + self._timeout

    def _on_timeout(
        self, _: GeneralBlockTransfer | None, now: float, out: list[GeneralBlockTransfer]
    ) -> None:
        self._ack(out)
        assert self._timeout is not None
        self._deadline = now + self._timeout

    def _on_block_done(
        self, block: GeneralBlockTransfer | None, now: float, out: list[GeneralBlockTransfer]
    ) -> None:
        """A block again after the end: the final acknowledgement was lost, repeat it."""
        assert block is not None and self._last is not None
        if block.block_number == 0 or block.block_number > self._last:
            raise RemoteProtocolError(
                f"GBT block {block.block_number} after the last block {self._last}"
            )
        self._peer_window = block.window
        if not block.streaming or block.last_block:
            self._ack(out)


_ReceiverHandler = Callable[
    [GbtReceiver, GeneralBlockTransfer | None, float, list[GeneralBlockTransfer]], None
]
_R, _RI = GbtReceiverState, GbtReceiverInput

#: (state, input) → (handler, the states the handler may leave the receiver in).
RECEIVER_TRANSITIONS: Final[
    dict[
        tuple[GbtReceiverState, GbtReceiverInput],
        tuple[_ReceiverHandler, frozenset[GbtReceiverState]],
    ]
] = {
    (_R.RECEIVING, _RI.BLOCK): (GbtReceiver._on_block, frozenset({_R.RECEIVING, _R.DONE})),
    (_R.RECEIVING, _RI.TIMEOUT): (GbtReceiver._on_timeout, frozenset({_R.RECEIVING})),
    (_R.DONE, _RI.BLOCK): (GbtReceiver._on_block_done, frozenset({_R.DONE})),
}
