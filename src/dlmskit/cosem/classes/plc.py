"""Power-line and LLC set-up classes (Blue Book, DLMS UA 1000-1, 4.9 S-FSK / PRIME / LLC).

======  ==================================================  ========
class   name                                                versions
======  ==================================================  ========
50      S-FSK Phy&MAC setup                                 0
51      S-FSK Active initiator                              0
52      S-FSK MAC synchronization timeouts                  0
53      S-FSK MAC counters                                  0
56      S-FSK IEC 61334-4-32 reporting system list          0
57      ISO/IEC 8802-2 LLC Type 1 setup                     0
58      ISO/IEC 8802-2 LLC Type 2 setup                     0
59      ISO/IEC 8802-2 LLC Type 3 setup                     0
80      61334-4-32 LLC SSCS setup (PRIME)                   0
81      PRIME NB OFDM PLC Physical layer counters           0
82      PRIME NB OFDM PLC MAC setup                         0
83      PRIME NB OFDM PLC MAC functional parameters         0
84      PRIME NB OFDM PLC MAC counters                      0
86      PRIME NB OFDM PLC Application identification        0
90      G3-PLC MAC layer counters                           0
91      G3-PLC MAC setup                                    1..3
92      G3-PLC 6LoWPAN adaptation layer setup               0..3
======  ==================================================  ========

Attribute types as the Gurux class files document them (GXDLMSSFSK*, GXDLMSIec8802Llc*,
GXDLMSPrimeNbOfdmPlc*, GXDLMSLlcSscsSetup; facts only, no code copied). These are less
often met in the field than the classes of :mod:`.comm`; their examples in the tests are
built from those layouts.
"""

from __future__ import annotations

from dataclasses import dataclass

from dlmskit import axdr
from dlmskit.apdu.common import OpenIntEnum
from dlmskit.cosem.classes._declare import (
    ANY,
    BITS,
    BOOL,
    I8,
    I16,
    OCTETS,
    U8,
    U16,
    U32,
    ZERO,
    AttrSpec,
    ClassSpec,
    IntKind,
    MethSpec,
    StructKind,
    ValueStruct,
    array_kind,
    enum_kind,
    kind_field,
)

__all__ = [
    "ActiveInitiator",
    "DeltaElectricalPhase",
    "DesynchronizationListing",
    "ElectricalPhase",
    "G3BlacklistEntry",
    "G3BroadcastLogEntry",
    "G3DeviceType",
    "G3MacKey",
    "G3NeighbourEntry",
    "G3PosEntry",
    "G3RoutingConfiguration",
    "G3RoutingEntry",
    "MacFrameCounter",
    "PrimeNodeState",
    "Repeater",
    "SfskFrequencies",
    "TransmissionSpeed",
]


class ElectricalPhase(OpenIntEnum):
    """S-FSK ``initiator_electrical_phase``."""

    NOT_DEFINED = 0
    PHASE_1 = 1
    PHASE_2 = 2
    PHASE_3 = 3


class DeltaElectricalPhase(OpenIntEnum):
    """S-FSK ``delta_electrical_phase`` (phase of the server relative to the initiator)."""

    NOT_DEFINED = 0
    DEGREES_0 = 1
    DEGREES_60 = 2
    DEGREES_120 = 3
    DEGREES_180 = 4
    DEGREES_MINUS_120 = 5
    DEGREES_MINUS_60 = 6


class Repeater(OpenIntEnum):
    """S-FSK ``repeater``."""

    NEVER = 0
    ALWAYS = 1
    DYNAMIC = 2


class TransmissionSpeed(OpenIntEnum):
    """S-FSK ``transmission_speed``."""

    BAUD_300 = 0
    BAUD_600 = 1
    BAUD_1200 = 2
    BAUD_2400 = 3
    BAUD_4800 = 4
    BAUD_9600 = 5
    BAUD_19200 = 6
    BAUD_38400 = 7
    BAUD_57600 = 8
    BAUD_115200 = 9


class PrimeNodeState(OpenIntEnum):
    """PRIME MAC functional parameters ``state``."""

    DISCONNECTED = 0
    TERMINAL = 1
    SWITCH = 2
    BASE = 3


_value = dataclass(frozen=True, slots=True, kw_only=True)


@_value
class SfskFrequencies(ValueStruct):
    """S-FSK Phy&MAC ``frequencies ::= structure {mark_frequency, space_frequency}`` (Hz)."""

    mark_frequency: int = kind_field(U32)
    space_frequency: int = kind_field(U32)


@_value
class ActiveInitiator(ValueStruct):
    """S-FSK ``active_initiator ::= structure {system_title, mac_address, l_sap_selector}``."""

    system_title: bytes = kind_field(OCTETS)
    mac_address: int = kind_field(U16)
    l_sap_selector: int = kind_field(U8)


@_value
class MacFrameCounter(ValueStruct):
    """S-FSK MAC counters ``synchronization_register`` / ``broadcast_frames_counter`` element.

    ``structure {mac_address: long-unsigned, counter: double-long-unsigned}``.
    """

    mac_address: int = kind_field(U16)
    counter: int = kind_field(U32)


@_value
class DesynchronizationListing(ValueStruct):
    """S-FSK MAC counters ``desynchronization_listing`` (five double-long-unsigned)."""

    physical_layer_desynchronization: int = kind_field(U32)
    time_out_not_addressed_desynchronization: int = kind_field(U32)
    time_out_frame_not_ok_desynchronization: int = kind_field(U32)
    write_request_desynchronization: int = kind_field(U32)
    wrong_initiator_desynchronization: int = kind_field(U32)


@_value
class G3RoutingConfiguration(ValueStruct):
    """G3-PLC 6LoWPAN ``adp_routing_configuration`` element (14 LOADng parameters)."""

    net_traversal_time: int = kind_field(U8)
    routing_table_entry_ttl: int = kind_field(U16)
    kr: int = kind_field(U8)
    km: int = kind_field(U8)
    kc: int = kind_field(U8)
    kq: int = kind_field(U8)
    kh: int = kind_field(U8)
    krt: int = kind_field(U8)
    rreq_retries: int = kind_field(U8)
    rreq_rerr_wait: int = kind_field(U8)
    blacklist_table_entry_ttl: int = kind_field(U16)
    unicast_rreq_gen_enable: bool = kind_field(BOOL)
    rlc_enabled: bool = kind_field(BOOL)
    add_rev_link_cost: int = kind_field(U8)


@_value
class G3RoutingEntry(ValueStruct):
    """G3-PLC 6LoWPAN ``adp_routing_table`` element."""

    destination_address: int = kind_field(U16)
    next_hop_address: int = kind_field(U16)
    route_cost: int = kind_field(U16)
    hop_count: int = kind_field(U8)
    weak_link_count: int = kind_field(U8)
    valid_time: int = kind_field(U16)


@_value
class G3BlacklistEntry(ValueStruct):
    """G3-PLC 6LoWPAN ``adp_blacklist_table`` element ``{neighbour_address, valid_time}``."""

    neighbour_address: int = kind_field(U16)
    valid_time: int = kind_field(U16)


@_value
class G3BroadcastLogEntry(ValueStruct):
    """G3-PLC 6LoWPAN ``adp_broadcast_log_table`` element."""

    source_address: int = kind_field(U16)
    sequence_number: int = kind_field(U8)
    valid_time: int = kind_field(U16)


@_value
class G3MacKey(ValueStruct):
    """G3-PLC MAC setup ``mac_key_table`` element ``{key_id, key}`` (key redacted in repr)."""

    key_id: int = kind_field(U8)
    key: bytes = kind_field(OCTETS)

    def __repr__(self) -> str:
        return f"G3MacKey(key_id={self.key_id}, key=<redacted>)"


@_value
class G3NeighbourEntry(ValueStruct):
    """G3-PLC MAC setup ``mac_neighbour_table`` element (11 elements)."""

    short_address: int = kind_field(U16)
    enabled: bool = kind_field(BOOL)
    tone_map: axdr.BitString = kind_field(BITS)
    modulation: int = kind_field(IntKind(axdr.Enum))
    tx_gain: int = kind_field(I8)
    tx_res: int = kind_field(IntKind(axdr.Enum))
    tx_coeff: axdr.BitString = kind_field(BITS)
    lqi: int = kind_field(U8)
    phase_differential: int = kind_field(I8)
    tmr_valid_time: int = kind_field(U8)
    neighbour_valid_time: int = kind_field(U8)


@_value
class G3PosEntry(ValueStruct):
    """G3-PLC MAC setup v2+ ``mac_pos_table`` element ``{short_address, lqi, valid_time}``."""

    short_address: int = kind_field(U16)
    lqi: int = kind_field(U8)
    valid_time: int = kind_field(U8)


class G3DeviceType(OpenIntEnum):
    """G3-PLC 6LoWPAN ``adp_device_type``."""

    DEVICE = 0
    COORDINATOR = 1
    NOT_DEFINED = 2


def _g3_mac(version: int) -> tuple[AttrSpec, ...]:
    attributes = [
        _A("mac_short_address", U16, _DYN),
        _A("mac_rc_coord", U16, _DYN),
        _A("mac_pan_id", U16, _DYN),
        _A("mac_key_table", array_kind(G3MacKey)),
        _A("mac_frame_counter", U32, _DYN),
        _A("mac_tone_mask", BITS),
        _A("mac_tmr_ttl", U8),
        _A("mac_max_frame_retries", U8),
        _A("mac_neighbour_table_entry_ttl", U8),
        _A("mac_neighbour_table", array_kind(G3NeighbourEntry), _DYN),
        _A("mac_high_priority_window_size", U8),
        _A("mac_cscm_fairness_limit", U8),
        _A("mac_beacon_randomization_window_length", U8),
        _A("mac_a", U8),
        _A("mac_k", U8),
        _A("mac_min_cw_attempts", U8),
        _A("mac_cenelec_legacy_mode", U8),
        _A("mac_fcc_legacy_mode", U8),
        _A("mac_max_be", U8),
        _A("mac_max_csma_backoffs", U8),
        _A("mac_min_be", U8),
    ]
    if version >= 2:
        attributes += [
            _A("mac_broadcast_max_cw_enabled", BOOL),
            _A("mac_transmit_atten", U8),
            _A("mac_pos_table", array_kind(G3PosEntry), _DYN),
        ]
    if version >= 3:
        attributes.append(_A("mac_duplicate_detection_ttl", U8))
    return tuple(attributes)


def _g3_mac_methods(version: int) -> tuple[MethSpec, ...]:
    methods = [_M("mac_get_neighbour_table_entry", U16, array_kind(G3NeighbourEntry))]
    if version >= 3:
        methods.append(_M("mac_get_pos_table_entry", U16, array_kind(G3PosEntry)))
    return tuple(methods)


def _g3_6lowpan(version: int) -> tuple[AttrSpec, ...]:
    attributes = [
        _A("adp_max_hops", U8),
        _A("adp_weak_lqi_value", U8),
        _A("adp_security_level", U8),
        _A("adp_prefix_table", array_kind(U8)),
        _A("adp_routing_configuration", array_kind(G3RoutingConfiguration)),
        _A("adp_broadcast_log_table_entry_ttl", U16),
        _A("adp_routing_table", array_kind(G3RoutingEntry), _DYN),
        # The context information table's element layout differs between sources: kept
        # as CHOICE elements.
        _A("adp_context_information_table", array_kind(ANY)),
        _A("adp_blacklist_table", array_kind(G3BlacklistEntry), _DYN),
        _A("adp_broadcast_log_table", array_kind(G3BroadcastLogEntry), _DYN),
        _A("adp_group_table", array_kind(U16)),
        _A("adp_max_join_wait_time", U16),
        _A("adp_path_discovery_time", U8),
        _A("adp_active_key_index", U8),
        _A("adp_metric_type", U8),
    ]
    if version >= 1:
        attributes += [
            _A("adp_coord_short_address", U16),
            _A("adp_disable_default_routing", BOOL),
            _A("adp_device_type", enum_kind(G3DeviceType)),
        ]
    if version >= 2:
        attributes += [
            _A("adp_default_coord_route_enabled", BOOL),
            _A("adp_destination_address", array_kind(U16)),
        ]
    if version >= 3:
        attributes += [_A("adp_low_lqi", U8), _A("adp_high_lqi", U8)]
    return tuple(attributes)


_A = AttrSpec
_M = MethSpec
_DYN = False
_RESET = (_M("reset", ZERO),)

CLASSES: tuple[ClassSpec, ...] = (
    ClassSpec(
        50,
        0,
        "S-FSK Phy&MAC setup",
        (
            _A("initiator_electrical_phase", enum_kind(ElectricalPhase)),
            _A("delta_electrical_phase", enum_kind(DeltaElectricalPhase), _DYN),
            _A("max_receiving_gain", U8),
            _A("max_transmitting_gain", U8),
            _A("search_initiator_threshold", U8),
            _A("frequencies", StructKind(SfskFrequencies)),
            _A("mac_address", U16, _DYN),
            _A("mac_group_addresses", array_kind(U16)),
            _A("repeater", enum_kind(Repeater)),
            _A("repeater_status", BOOL, _DYN),
            _A("min_delta_credit", U8, _DYN),
            _A("initiator_mac_address", U16, _DYN),
            _A("synchronization_locked", BOOL, _DYN),
            _A("transmission_speed", enum_kind(TransmissionSpeed)),
        ),
    ),
    ClassSpec(
        51,
        0,
        "S-FSK Active initiator",
        (_A("active_initiator", StructKind(ActiveInitiator), _DYN),),
        # The parameter's type is not documented by the sources at hand: kept as CHOICE.
        (_M("reset_new_not_synchronized", ANY),),
    ),
    ClassSpec(
        52,
        0,
        "S-FSK MAC synchronization timeouts",
        (
            _A("search_initiator_timeout", U16),
            _A("synchronization_confirmation_timeout", U16),
            _A("time_out_not_addressed", U16),
            _A("time_out_frame_not_ok", U16),
        ),
    ),
    ClassSpec(
        53,
        0,
        "S-FSK MAC counters",
        (
            _A("synchronization_register", array_kind(MacFrameCounter), _DYN),
            _A("desynchronization_listing", StructKind(DesynchronizationListing), _DYN),
            _A("broadcast_frames_counter", array_kind(MacFrameCounter), _DYN),
            _A("repetitions_counter", U32, _DYN),
            _A("transmissions_counter", U32, _DYN),
            _A("crc_ok_frames_counter", U32, _DYN),
            _A("crc_nok_frames_counter", U32, _DYN),
        ),
        _RESET,
    ),
    ClassSpec(
        56,
        0,
        "S-FSK IEC 61334-4-32 reporting system list",
        (_A("reporting_system_list", array_kind(OCTETS), _DYN),),
    ),
    ClassSpec(57, 0, "ISO/IEC 8802-2 LLC Type 1 setup", (_A("max_octets_ui_pdu", U16),)),
    ClassSpec(
        58,
        0,
        "ISO/IEC 8802-2 LLC Type 2 setup",
        (
            _A("transmit_window_size_k", U8),
            _A("transmit_window_size_rw", U8),
            _A("max_octets_i_pdu", U16),
            _A("max_number_transmissions", U8),
            _A("acknowledgement_timer", U16),
            _A("bit_timer", U16),
            _A("reject_timer", U16),
            _A("busy_state_timer", U16),
        ),
    ),
    ClassSpec(
        59,
        0,
        "ISO/IEC 8802-2 LLC Type 3 setup",
        (
            _A("max_octets_acn_pdu", U16),
            _A("max_transmissions", U8),
            _A("acknowledgement_time", U16),
            _A("receive_lifetime", U16),
            _A("transmit_lifetime", U16),
        ),
    ),
    ClassSpec(
        80,
        0,
        "61334-4-32 LLC SSCS setup",
        (_A("service_node_address", U16, _DYN), _A("base_node_address", U16, _DYN)),
        _RESET,
    ),
    ClassSpec(
        81,
        0,
        "PRIME NB OFDM PLC Physical layer counters",
        (
            _A("phy_crc_incorrect_count", U16, _DYN),
            _A("phy_crc_failed_count", U16, _DYN),
            _A("phy_tx_drop_count", U16, _DYN),
            _A("phy_rx_drop_count", U16, _DYN),
        ),
        _RESET,
    ),
    ClassSpec(
        82,
        0,
        "PRIME NB OFDM PLC MAC setup",
        (
            _A("mac_min_switch_search_time", U8),
            _A("mac_max_promotion_pdu", U8),
            _A("mac_promotion_pdu_tx_period", U8),
            _A("mac_beacons_per_frame", U8),
            _A("mac_scp_max_tx_attempts", U8),
            _A("mac_ctl_re_tx_timer", U8),
            _A("mac_max_ctl_re_tx", U8),
        ),
    ),
    ClassSpec(
        83,
        0,
        "PRIME NB OFDM PLC MAC functional parameters",
        (
            _A("lnid", I16, _DYN),
            _A("lsid", U8, _DYN),
            _A("sid", U8, _DYN),
            _A("sna", OCTETS, _DYN),
            _A("state", enum_kind(PrimeNodeState), _DYN),
            _A("scp_length", I16, _DYN),
            _A("node_hierarchy_level", U8, _DYN),
            _A("beacon_slot_count", U8, _DYN),
            _A("beacon_rx_slot", U8, _DYN),
            _A("beacon_tx_slot", U8, _DYN),
            _A("beacon_rx_frequency", U8, _DYN),
            _A("beacon_tx_frequency", U8, _DYN),
            _A("mac_capabilities", U16),
        ),
    ),
    ClassSpec(
        84,
        0,
        "PRIME NB OFDM PLC MAC counters",
        (
            _A("mac_tx_data_pkt_count", U32, _DYN),
            _A("mac_rx_data_pkt_count", U32, _DYN),
            _A("mac_tx_ctrl_pkt_count", U32, _DYN),
            _A("mac_rx_ctrl_pkt_count", U32, _DYN),
            _A("mac_csma_fail_count", U32, _DYN),
            _A("mac_csma_ch_busy_count", U32, _DYN),
        ),
        _RESET,
    ),
    ClassSpec(
        90,
        0,
        "G3-PLC MAC layer counters",
        (
            _A("mac_tx_data_packet_count", U32, _DYN),
            _A("mac_rx_data_packet_count", U32, _DYN),
            _A("mac_tx_cmd_packet_count", U32, _DYN),
            _A("mac_rx_cmd_packet_count", U32, _DYN),
            _A("mac_csma_fail_count", U32, _DYN),
            _A("mac_csma_no_ack_count", U32, _DYN),
            _A("mac_bad_crc_count", U32, _DYN),
            _A("mac_tx_data_broadcast_count", U32, _DYN),
            _A("mac_rx_data_broadcast_count", U32, _DYN),
        ),
        _RESET,
    ),
    # Version 0 is not declared: the sources at hand do not say how it differs from 1.
    *(
        ClassSpec(91, version, "G3-PLC MAC setup", _g3_mac(version), _g3_mac_methods(version))
        for version in (1, 2, 3)
    ),
    *(
        ClassSpec(92, version, "G3-PLC 6LoWPAN adaptation layer setup", _g3_6lowpan(version))
        for version in range(4)
    ),
    ClassSpec(
        86,
        0,
        "PRIME NB OFDM PLC Application identification",
        (
            _A("firmware_version", OCTETS),
            _A("vendor_id", U16),
            _A("product_id", U16),
        ),
    ),
)
