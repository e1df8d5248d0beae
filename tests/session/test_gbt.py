"""General Block Transfer engines (dlmskit.session.gbt), Green Book 9.4.6.13.

The lossy-link tests push every block through its wire bytes (``to_bytes`` then
``dlmskit.apdu.decode``) over a simulated link with seeded loss, duplication and
reordering in both directions; time is simulated (the engines take ``now``).
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlmskit import apdu
from dlmskit.apdu.ciphered import GeneralGloCiphering
from dlmskit.apdu.gbt import GeneralBlockTransfer
from dlmskit.errors import LocalProtocolError, RemoteProtocolError
from dlmskit.link.hdlc import HdlcFrame
from dlmskit.security import ciphering
from dlmskit.session.gbt import (
    GBT_OVERHEAD,
    RECEIVER_TRANSITIONS,
    SENDER_TRANSITIONS,
    GbtReceiver,
    GbtReceiverInput,
    GbtReceiverState,
    GbtSender,
    GbtSenderInput,
    GbtSenderState,
    block_size_for,
)
from tests.vectors import record


def _wire(block: GeneralBlockTransfer) -> GeneralBlockTransfer:
    decoded = apdu.decode(block.to_bytes())
    assert isinstance(decoded, GeneralBlockTransfer)
    return decoded


class _Link:
    """A one-way lossy link: drops, duplicates and reorders what it carries."""

    def __init__(self, rng: random.Random, loss: float, dup: float, reorder: float) -> None:
        self.rng, self.loss, self.dup, self.reorder = rng, loss, dup, reorder
        self.queue: list[GeneralBlockTransfer] = []
        self.dropped = 0
        self.carried = 0

    def put(self, blocks: list[GeneralBlockTransfer]) -> None:
        self.carried += len(blocks)
        for block in blocks:
            if self.rng.random() < self.loss:
                self.dropped += 1
                continue
            copies = 2 if self.rng.random() < self.dup else 1
            for _ in range(copies):
                if self.queue and self.rng.random() < self.reorder:
                    self.queue.insert(self.rng.randrange(len(self.queue)), block)
                else:
                    self.queue.append(block)

    def take(self) -> GeneralBlockTransfer | None:
        return _wire(self.queue.pop(0)) if self.queue else None


_CARRIED: list[int] = []  # blocks put on the forward link, per transfer


def _transfer(
    data: bytes,
    *,
    seed: int,
    window: int,
    block_size: int,
    send_window: int = 1,
    loss: float = 0.1,
    dup: float = 0.05,
    reorder: float = 0.1,
) -> tuple[bytes, GbtSender, GbtReceiver]:
    rng = random.Random(seed)
    forward = _Link(rng, loss, dup, reorder)
    backward = _Link(rng, loss, dup, reorder)
    sender = GbtSender(
        data, block_size=block_size, window=send_window, own_window=1, timeout=2.0, max_retries=50
    )
    receiver = GbtReceiver(window=window, max_size=max(len(data), 1), timeout=1.0)
    now = 0.0
    forward.put(sender.start(now))
    for _ in range(200_000):
        if sender.state is GbtSenderState.DONE and receiver.state is GbtReceiverState.DONE:
            break
        assert sender.state is not GbtSenderState.FAILED
        block = forward.take()
        if block is not None:
            backward.put(receiver.receive(block, now))
            continue
        ack = backward.take()
        if ack is not None:
            forward.put(sender.receive(ack, now))
            continue
        # Nothing in flight: let time run to the next deadline.
        deadlines = [t for t in (sender.next_timeout(), receiver.next_timeout()) if t is not None]
        assert deadlines, "stuck with nothing in flight and no timer"
        now = max(now, min(deadlines))
        forward.put(sender.handle_timeout(now))
        backward.put(receiver.handle_timeout(now))
    assert receiver.result is not None
    # The link really lost blocks: with p >= 0.1 per block, 200 blocks all surviving has
    # probability <= 0.9**200 < 1e-9 (with 10 blocks it was 0.8**10 = 11 %: a flaky check).
    assert loss == 0 or forward.dropped > 0 or sender.block_count < 200
    _CARRIED.append(forward.carried)
    return receiver.result, sender, receiver


@pytest.mark.parametrize("window", [1, 3, 63])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_megabyte_over_a_lossy_link_arrives_byte_exact(window: int, seed: int) -> None:
    data = random.Random(seed * 7919).randbytes(1 << 20)
    result, sender, receiver = _transfer(data, seed=seed, window=window, block_size=4096)
    assert result == data
    assert sender.state is GbtSenderState.DONE
    assert sender.acknowledged == sender.block_count == 256
    # Recovery resends what was lost, not whole windows per duplicate acknowledgement.
    assert _CARRIED[-1] < 2 * 256
    assert receiver.in_order == 256


def test_a_perfect_link_needs_one_acknowledgement_per_window() -> None:
    data = bytes(range(256)) * 40  # 10 240 octets = 10 blocks of 1024
    sender = GbtSender(data, block_size=1024, window=3)
    receiver = GbtReceiver(window=3)
    out = sender.start(0.0)
    assert [b.block_number for b in out] == [1, 2, 3]
    # The streaming bit is set on all but the window's last block.
    assert [b.streaming for b in out] == [True, True, False]
    acks = 0
    while out:
        answers = [a for b in out for a in receiver.receive(_wire(b), 0.0)]
        acks += len(answers)
        out = [b for a in answers for b in sender.receive(_wire(a), 0.0)]
    assert receiver.result == data
    assert acks == 4  # windows 1-3, 4-6, 7-9, 10
    assert sender.state is GbtSenderState.DONE


@pytest.mark.parametrize(("send_window", "receive_window"), [(63, 1), (63, 3), (1, 63), (5, 5)])
def test_window_mismatch_does_not_multiply_blocks(send_window: int, receive_window: int) -> None:
    sender = GbtSender(bytes(1000), block_size=10, window=send_window)
    receiver = GbtReceiver(window=receive_window)
    out, sent = sender.start(0.0), 0
    while out:
        sent += len(out)
        answers = [a for b in out for a in receiver.receive(b, 0.0)]
        out = [b for a in answers for b in sender.receive(a, 0.0)]
    assert receiver.result == bytes(1000) and sender.state is GbtSenderState.DONE
    assert sent < 2 * 100


def test_the_receiver_window_in_an_acknowledgement_changes_the_sender_window() -> None:
    sender = GbtSender(bytes(100), block_size=10, window=1)
    assert len(sender.start(0.0)) == 1
    ack = GeneralBlockTransfer.of(
        last_block=False, window=5, block_number=1, block_number_ack=1, block_data=b""
    )
    assert [b.block_number for b in sender.receive(ack, 0.0)] == [2, 3, 4, 5, 6]


def test_a_lost_block_is_asked_for_with_the_last_in_order_number() -> None:
    sender = GbtSender(bytes(range(50)), block_size=10, window=3)
    receiver = GbtReceiver(window=3)
    first = sender.start(0.0)
    assert receiver.receive(first[0], 0.0) == []
    # Block 2 is lost; block 3 ends the window, so the receiver acknowledges block 1.
    (ack,) = receiver.receive(first[2], 0.0)
    assert ack.block_number_ack == 1 and ack.block_data == b"" and ack.window == 3
    again = sender.receive(ack, 0.0)
    assert [b.block_number for b in again] == [2, 3, 4]
    # Block 3 was kept: block 2 joins both.
    assert receiver.receive(again[0], 0.0) == []
    assert receiver.in_order == 3


def test_sender_timeout_resends_from_the_last_acknowledged_block_then_fails() -> None:
    sender = GbtSender(bytes(30), block_size=10, window=2, timeout=5.0, max_retries=2)
    sender.start(10.0)
    assert sender.next_timeout() == 15.0
    assert sender.handle_timeout(14.9) == []
    assert [b.block_number for b in sender.handle_timeout(15.0)] == [1, 2]
    assert [b.block_number for b in sender.handle_timeout(20.0)] == [1, 2]
    assert sender.handle_timeout(25.0) == []
    assert sender.state is GbtSenderState.FAILED
    assert sender.next_timeout() is None


def test_receiver_timeout_repeats_its_acknowledgement() -> None:
    sender = GbtSender(bytes(30), block_size=10, window=3)
    receiver = GbtReceiver(window=3, timeout=1.0)
    blocks = sender.start(0.0)
    receiver.receive(blocks[0], 0.0)  # blocks 2 and 3 lost
    assert receiver.next_timeout() == 1.0
    (ack,) = receiver.handle_timeout(1.0)
    assert ack.block_number_ack == 1
    assert receiver.next_timeout() == 2.0


def test_a_sender_that_cannot_receive_streams_everything_and_gets_no_ack() -> None:
    data = bytes(range(200))
    sender = GbtSender(data, block_size=64, own_window=0)
    blocks = sender.start(0.0)
    assert sender.state is GbtSenderState.DONE and sender.next_timeout() is None
    assert [b.block_number for b in blocks] == [1, 2, 3, 4]
    assert [b.last_block for b in blocks] == [False, False, False, True]
    receiver = GbtReceiver(window=1)
    assert [a for b in blocks for a in receiver.receive(b, 0.0)] == []
    assert receiver.result == data


def test_push_05_gbt_blocks_from_three_hdlc_frames_join_to_the_ciphered_apdu() -> None:
    # vectors.json PUSH-05 (esphome-libs/dlms_parser tests/expected/hdlc_landis_gyr_e450.h):
    # three HDLC frames, one GBT block each (window 0, a push); only the first frame
    # carries the LLC header E6 E7 00.
    rec = record("PUSH-05")
    raw = bytes.fromhex(rec["raw"])
    frames = [b"\x7e" + part + b"\x7e" for part in raw.strip(b"\x7e").split(b"\x7e\x7e")]
    assert len(frames) == rec["gbt_blocks"] == 3
    receiver = GbtReceiver(window=1)
    for frame in frames:
        info = HdlcFrame.decode(frame).information
        if frame is frames[0]:
            assert info[:3] == b"\xe6\xe7\x00"
            info = info[3:]
        block = apdu.decode(info)
        assert isinstance(block, GeneralBlockTransfer) and block.window == 0
        assert receiver.receive(block, 0.0) == []  # never acknowledge a push
    assert receiver.state is GbtReceiverState.DONE
    joined = receiver.result
    assert joined is not None and joined.hex().upper() == rec["ciphered_apdu"]
    # Joined before unprotect (DESIGN.md): the envelope's GCM tag checks and the
    # plaintext is the record's data-notification.
    envelope = apdu.decode(joined)
    assert isinstance(envelope, GeneralGloCiphering)
    plain = ciphering.unprotect(
        envelope,
        encryption_key=bytes.fromhex(rec["EK"]),
        authentication_key=bytes.fromhex(rec["AK"]),
    )
    assert plain.hex().upper() == rec["plain_apdu"]


def test_block_size_for_keeps_a_block_within_max_pdu() -> None:
    size = block_size_for(1024)
    block = GeneralBlockTransfer.of(last_block=True, block_number=1, block_data=bytes(size))
    assert len(block.to_bytes()) <= 1024
    assert size == 1024 - GBT_OVERHEAD
    with pytest.raises(ValueError, match="max_pdu"):
        block_size_for(GBT_OVERHEAD)
    with pytest.raises(TypeError, match="max_pdu"):
        block_size_for("1024")  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=3000), st.integers(1, 700), st.integers(1, 63), st.integers(1, 63))
def test_round_trip_any_apdu_any_sizes(data: bytes, size: int, window: int, rwin: int) -> None:
    sender = GbtSender(data, block_size=size, window=window)
    receiver = GbtReceiver(window=rwin, max_size=len(data))
    out = sender.start(0.0)
    while out:
        answers = [a for b in out for a in receiver.receive(_wire(b), 0.0)]
        out = [b for a in answers for b in sender.receive(_wire(a), 0.0)]
    assert receiver.result == data
    assert sender.state is GbtSenderState.DONE


# --- bad input ---------------------------------------------------------------------------


def _block(
    number: int, data: bytes = b"x", *, last: bool = False, streaming: bool = False
) -> GeneralBlockTransfer:
    return GeneralBlockTransfer.of(
        last_block=last, streaming=streaming, window=1, block_number=number, block_data=data
    )


def test_receiver_size_bound() -> None:
    receiver = GbtReceiver(window=3, max_size=5)
    receiver.receive(_block(1, b"abc", streaming=True), 0.0)
    with pytest.raises(RemoteProtocolError, match="bound of 5"):
        receiver.receive(_block(2, b"def"), 0.0)
    assert receiver.state is GbtReceiverState.FAILED and receiver.result is None


@pytest.mark.parametrize(
    ("blocks", "message"),
    [
        ([_block(0)], "outside 1..65535"),
        ([_block(2, last=True), _block(3)], "after the last block 2"),
        ([_block(3, streaming=True), _block(2, last=True)], "below blocks received"),
        ([_block(1), _block(2), _block(1, last=True)], "below blocks received"),
    ],
)
def test_receiver_refuses_blocks_that_break_the_numbering(
    blocks: list[GeneralBlockTransfer], message: str
) -> None:
    receiver = GbtReceiver(window=5)
    with pytest.raises(RemoteProtocolError, match=message):
        for block in blocks:
            receiver.receive(block, 0.0)
    assert receiver.state is GbtReceiverState.FAILED


def test_receiver_max_blocks() -> None:
    with pytest.raises(RemoteProtocolError, match=r"outside 1\.\.4"):
        GbtReceiver(max_blocks=4).receive(_block(5), 0.0)


def test_sender_refuses_an_acknowledgement_beyond_the_last_block() -> None:
    sender = GbtSender(bytes(20), block_size=10)
    sender.start(0.0)
    with pytest.raises(RemoteProtocolError, match="only 2 were sent"):
        sender.receive(
            GeneralBlockTransfer.of(
                last_block=False, block_number=1, block_number_ack=3, block_data=b""
            ),
            0.0,
        )
    assert sender.state is GbtSenderState.FAILED


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"block_size": 0}, ValueError, "block_size"),
        ({"block_size": 10, "window": 0}, ValueError, "window"),
        ({"block_size": 10, "window": 64}, ValueError, "window"),
        ({"block_size": 10, "own_window": 64}, ValueError, "own_window"),
        ({"block_size": 10, "timeout": 0}, ValueError, "timeout"),
        ({"block_size": 10, "max_retries": -1}, ValueError, "max_retries"),
        ({"block_size": "10"}, TypeError, "block_size"),
        ({"block_size": 1, "apdu": bytes(0x10000)}, ValueError, "block numbers stop"),
        ({"block_size": 1, "apdu": "text"}, TypeError, "apdu"),
    ],
)
def test_sender_arguments(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    data = kwargs.pop("apdu", b"abc")
    with pytest.raises(error, match=message):
        GbtSender(data, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window": 0}, "window"),
        ({"max_size": -1}, "max_size"),
        ({"max_blocks": 0}, "max_blocks"),
        ({"timeout": -1.0}, "timeout"),
    ],
)
def test_receiver_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GbtReceiver(**kwargs)  # type: ignore[arg-type]


def test_receive_takes_only_gbt_blocks() -> None:
    with pytest.raises(TypeError, match="GeneralBlockTransfer"):
        GbtReceiver().receive(b"\xe0", 0.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="GeneralBlockTransfer"):
        GbtSender(b"", block_size=1).receive(b"\xe0", 0.0)  # type: ignore[arg-type]


# --- every (state, input) pair of both tables --------------------------------------------


def _sender_in(state: GbtSenderState) -> GbtSender:
    sender = GbtSender(bytes(20), block_size=10, window=1, max_retries=0)
    if state is GbtSenderState.IDLE:
        return sender
    sender.start(0.0)
    if state is GbtSenderState.DONE:
        for n in (1, 2):
            sender.receive(
                GeneralBlockTransfer.of(
                    last_block=False, block_number=1, block_number_ack=n, block_data=b""
                ),
                0.0,
            )
    elif state is GbtSenderState.FAILED:
        sender.handle_timeout(100.0)
    assert sender.state is state
    return sender


_ACK1 = GeneralBlockTransfer.of(
    last_block=False, block_number=1, block_number_ack=1, block_data=b""
)


@pytest.mark.parametrize("state", list(GbtSenderState))
@pytest.mark.parametrize("what", list(GbtSenderInput))
def test_every_sender_pair(state: GbtSenderState, what: GbtSenderInput) -> None:
    sender = _sender_in(state)
    listed = (state, what) in SENDER_TRANSITIONS
    if what is GbtSenderInput.TIMEOUT:
        if listed:  # SENDING: a resend (or failure at the retry limit, here 0)
            assert sender.handle_timeout(1e9) == []
            assert sender.state is GbtSenderState.FAILED
        else:  # no deadline outside SENDING: the timer call is a no-op
            assert sender.next_timeout() is None
            assert sender.handle_timeout(1e9) == []
            assert sender.state is state
            with pytest.raises(LocalProtocolError, match="timeout is not allowed"):
                sender._dispatch(what, None, 1e9)
        return
    call = (
        (lambda: sender.start(0.0))
        if what is GbtSenderInput.START
        else (lambda: sender.receive(_ACK1, 0.0))
    )
    if not listed:
        with pytest.raises(LocalProtocolError, match=f"{what.value} is not allowed"):
            call()
        assert sender.state is state
        return
    out = call()
    if (state, what) == (GbtSenderState.IDLE, GbtSenderInput.START):
        assert [b.block_number for b in out] == [1] and sender.state is GbtSenderState.SENDING
    elif state is GbtSenderState.SENDING:
        assert [b.block_number for b in out] == [2] and sender.state is GbtSenderState.SENDING
    else:  # late acknowledgements after the end are ignored
        assert out == [] and sender.state is state


def _receiver_in(state: GbtReceiverState) -> GbtReceiver:
    receiver = GbtReceiver(window=1, timeout=1.0)
    if state is GbtReceiverState.DONE:
        receiver.receive(_block(1, last=True), 0.0)
    elif state is GbtReceiverState.FAILED:
        with pytest.raises(RemoteProtocolError):
            receiver.receive(_block(0), 0.0)
    else:
        receiver.receive(_block(1, streaming=True), 0.0)
    assert receiver.state is state
    return receiver


@pytest.mark.parametrize("state", list(GbtReceiverState))
@pytest.mark.parametrize("what", list(GbtReceiverInput))
def test_every_receiver_pair(state: GbtReceiverState, what: GbtReceiverInput) -> None:
    receiver = _receiver_in(state)
    listed = (state, what) in RECEIVER_TRANSITIONS
    if what is GbtReceiverInput.TIMEOUT:
        if listed:  # RECEIVING: the acknowledgement again
            (ack,) = receiver.handle_timeout(1e9)
            assert ack.block_number_ack == 1 and receiver.state is state
        else:
            assert receiver.handle_timeout(1e9) == [] and receiver.state is state
            with pytest.raises(LocalProtocolError, match="timeout is not allowed"):
                receiver._dispatch(what, None, 1e9)
        return
    if not listed:  # FAILED: the caller must stop feeding it
        with pytest.raises(LocalProtocolError, match="block is not allowed"):
            receiver.receive(_block(1), 0.0)
        return
    if state is GbtReceiverState.RECEIVING:
        (ack,) = receiver.receive(_block(2, last=True), 0.0)
        assert ack.block_number_ack == 2 and receiver.result == b"xx"
    else:  # DONE: a resent last block → the final acknowledgement again
        (ack,) = receiver.receive(_block(1, last=True), 0.0)
        assert ack.block_number_ack == 1 and receiver.state is GbtReceiverState.DONE
        with pytest.raises(RemoteProtocolError, match="after the last block"):
            receiver.receive(_block(2), 0.0)


def test_the_tables_list_only_reachable_pairs() -> None:
    assert len(SENDER_TRANSITIONS) == 5
    assert len(RECEIVER_TRANSITIONS) == 3


@settings(max_examples=60, deadline=None)
@given(
    st.binary(max_size=4000),
    st.integers(0, 2**32),
    st.integers(1, 63),
    st.integers(1, 63),
    st.integers(1, 300),
)
def test_any_apdu_over_a_lossy_link(
    data: bytes, seed: int, window: int, send_window: int, size: int
) -> None:
    result, sender, _ = _transfer(
        data, seed=seed, window=window, block_size=size, send_window=send_window, loss=0.2
    )
    assert result == data and sender.state is GbtSenderState.DONE


def test_blocks_far_ahead_are_dropped_not_kept() -> None:
    receiver = GbtReceiver(window=63)
    assert receiver.receive(_block(1000, bytes(100), streaming=True), 0.0) == []
    assert receiver._early == {} and receiver.in_order == 0
    receiver.receive(_block(127, b"k", streaming=True), 0.0)  # within two windows: kept
    assert list(receiver._early) == [127]
