"""Data, register, profile, time and control interface classes (Blue Book, DLMS UA 1000-1,
4.3 and 4.5).

Declared here, by (class id, version):

=====  ==============================  ========  ==================================
class  name                            versions  notes
=====  ==============================  ========  ==================================
1      Data                            0         value: CHOICE
3      Register                        0         scaler_unit → ScalerUnit
4      Extended register               0
5      Demand register                 0
6      Register activation             0
7      Profile generic                 0, 1      v0 has get_buffer_by_range/index
8      Clock                           0
9      Script table                    0
10     Schedule                        0
11     Special days table              0
20     Activity calendar               0
21     Register monitor                0
22     Single action schedule          0
26     Utility tables                  0
61     Register table                  0
62     Compact data                    0, 1      v1 capture objects with restriction
63     Status mapping                  0
65     Parameter monitor               0
67     Sensor manager                  0
68     Arbitrator                      0
70     Disconnect control              0
71     Limiter                         0
122    Function control                0
123    Array manager                   0
124    Communication port protection   0
=====  ==============================  ========  ==================================

Attribute and method tables follow the Blue Book (ed. 12-14) class descriptions; where a
structure's layout was checked against a public implementation it is the Gurux class file
of that class (facts only, no code copied). Profile buffers are kept as arrays of raw
A-XDR structures here: :func:`dlmskit.cosem.profile.parse_buffer` types them from the
capture objects.
"""

# ruff: noqa: RUF009  (kind_field(...) is a dataclass field spec, not a mutable default)
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dlmskit import axdr
from dlmskit.apdu.common import OpenIntEnum
from dlmskit.cosem.classes._declare import (
    ANY,
    BITS,
    BOOL,
    DATE_TIME,
    I8,
    I16,
    OBIS,
    OCTETS,
    U8,
    U16,
    U32,
    ZERO,
    AttrSpec,
    ClassSpec,
    MethSpec,
    StructKind,
    ValueStruct,
    array_kind,
    enum_kind,
    kind_field,
)
from dlmskit.cosem.classes.comm import PushObject
from dlmskit.cosem.types import (
    DATE,
    TIME,
    CaptureObjectDefinition,
    ExecutionTime,
    ObjectDefinition,
    Script,
    ScriptReference,
    ValueDefinition,
)
from dlmskit.cosem.units import ScalerUnit
from dlmskit.cosem_time import CosemDate, CosemDateTime, CosemTime
from dlmskit.obis import Obis

__all__ = [
    "ActivityDayProfile",
    "ActivityDayProfileAction",
    "ActivityWeekProfile",
    "ArbitratorRequest",
    "ArrayInsert",
    "ArrayObject",
    "ArrayRange",
    "ChangedParameter",
    "ClockBase",
    "CommunicationPortProtectionMode",
    "CommunicationPortProtectionStatus",
    "CompactDataCaptureMethod",
    "ControlMode",
    "ControlState",
    "EmergencyProfile",
    "FunctionBlock",
    "FunctionStatus",
    "LimiterActions",
    "MonitorActions",
    "PresetAdjustingTime",
    "RegisterActMask",
    "RegisterTableCellDefinition",
    "ScheduleEnableDisable",
    "ScheduleEntry",
    "ScheduleIndexRange",
    "SeasonProfile",
    "SingleActionType",
    "SortMethod",
    "SpecialDay",
]


# ---------------------------------------------------------------------------------------
# Enumerations
# ---------------------------------------------------------------------------------------


class SortMethod(OpenIntEnum):
    """Profile generic ``sort_method`` (4.3.6)."""

    FIFO = 1
    LIFO = 2
    LARGEST = 3
    SMALLEST = 4
    NEAREST_TO_ZERO = 5
    FARTHEST_FROM_ZERO = 6


class ClockBase(OpenIntEnum):
    """Clock ``clock_base`` (4.5.1... class 8): the time source."""

    NOT_DEFINED = 0
    INTERNAL_CRYSTAL = 1
    MAINS_50_HZ = 2
    MAINS_60_HZ = 3
    GPS = 4
    RADIO_CONTROLLED = 5


class SingleActionType(OpenIntEnum):
    """Single action schedule ``type`` (4.5.7)."""

    SIZE_1_SAME_TIME_WILDCARD_DATE = 1  # execution_time has one element
    SIZE_N_SAME_TIME_WILDCARD_DATE = 2  # n elements, same time, wildcards in date allowed
    SIZE_N_SAME_TIME_NO_WILDCARD = 3
    SIZE_N_DIFFERENT_TIME_WILDCARD_DATE = 4
    SIZE_N_DIFFERENT_TIME_NO_WILDCARD = 5


class ControlState(OpenIntEnum):
    """Disconnect control ``control_state`` (4.5.8)."""

    DISCONNECTED = 0
    CONNECTED = 1
    READY_FOR_RECONNECTION = 2


class ControlMode(OpenIntEnum):
    """Disconnect control ``control_mode`` (4.5.8): which transitions are allowed how."""

    MODE_0 = 0  # always connected
    MODE_1 = 1
    MODE_2 = 2
    MODE_3 = 3
    MODE_4 = 4
    MODE_5 = 5
    MODE_6 = 6


class CompactDataCaptureMethod(OpenIntEnum):
    """Compact data ``capture_method``."""

    INVOKED = 0  # by the capture method or an external trigger
    IMPLICIT = 1  # when the compact_buffer is read


class CommunicationPortProtectionMode(OpenIntEnum):
    """Communication port protection ``protection_mode``."""

    LOCKED = 0
    LOCKED_ON_FAILED_ATTEMPTS = 1
    UNLOCKED = 2


class CommunicationPortProtectionStatus(OpenIntEnum):
    """Communication port protection ``protection_status``."""

    UNLOCKED = 0
    TEMPORARILY_LOCKED = 1
    LOCKED = 2


# ---------------------------------------------------------------------------------------
# Value types used by one class
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterActMask(ValueStruct):
    """Register activation ``register_act_mask``: a named set of register_assignment
    indices (1-based) activated together."""

    mask_name: bytes = kind_field(OCTETS)
    index_list: tuple[int, ...] = kind_field(array_kind(U8))


@dataclass(frozen=True, slots=True, kw_only=True)
class PresetAdjustingTime(ValueStruct):
    """Clock ``preset_adjusting_time`` parameter."""

    preset_time: CosemDateTime | None = kind_field(DATE_TIME)
    validity_interval_start: CosemDateTime | None = kind_field(DATE_TIME)
    validity_interval_end: CosemDateTime | None = kind_field(DATE_TIME)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleEntry(ValueStruct):
    """Schedule ``schedule_table_entry`` (4.5.3)."""

    index: int = kind_field(U16)
    enable: bool = kind_field(BOOL)
    logical_name: Obis = kind_field(OBIS)  # of the Script table
    script_selector: int = kind_field(U16)
    switch_time: CosemTime = kind_field(TIME)
    validity_window: int = kind_field(U16)  # minutes; 0xFFFF: always
    exec_weekdays: axdr.BitString = kind_field(BITS)
    exec_specdays: axdr.BitString = kind_field(BITS)
    begin_date: CosemDate = kind_field(DATE)
    end_date: CosemDate = kind_field(DATE)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleEnableDisable(ValueStruct):
    """Schedule ``enable/disable`` parameter: enable range A, disable range B."""

    first_index_a: int = kind_field(U16)
    last_index_a: int = kind_field(U16)
    first_index_b: int = kind_field(U16)
    last_index_b: int = kind_field(U16)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleIndexRange(ValueStruct):
    """Schedule ``delete`` parameter."""

    first_index: int = kind_field(U16)
    last_index: int = kind_field(U16)


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecialDay(ValueStruct):
    """Special days table ``spec_day_entry`` (4.5.4)."""

    index: int = kind_field(U16)
    specialday_date: CosemDate = kind_field(DATE)
    day_id: int = kind_field(U8)


@dataclass(frozen=True, slots=True, kw_only=True)
class SeasonProfile(ValueStruct):
    """Activity calendar ``season`` element (4.5.5)."""

    season_profile_name: bytes = kind_field(OCTETS)
    season_start: CosemDateTime | None = kind_field(DATE_TIME)
    week_name: bytes = kind_field(OCTETS)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityWeekProfile(ValueStruct):
    """Activity calendar ``week_profile`` element: a day_id per weekday."""

    week_profile_name: bytes = kind_field(OCTETS)
    monday: int = kind_field(U8)
    tuesday: int = kind_field(U8)
    wednesday: int = kind_field(U8)
    thursday: int = kind_field(U8)
    friday: int = kind_field(U8)
    saturday: int = kind_field(U8)
    sunday: int = kind_field(U8)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityDayProfileAction(ValueStruct):
    """Activity calendar ``day_profile_action``: at start_time run a script."""

    start_time: CosemTime = kind_field(TIME)
    script_logical_name: Obis = kind_field(OBIS)
    script_selector: int = kind_field(U16)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityDayProfile(ValueStruct):
    """Activity calendar ``day_profile`` element."""

    day_id: int = kind_field(U8)
    day_schedule: tuple[ActivityDayProfileAction, ...] = kind_field(
        array_kind(ActivityDayProfileAction)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class MonitorActions(ValueStruct):
    """Register monitor ``action_set``: scripts run when a threshold is crossed upwards and
    downwards (4.5.6)."""

    action_up: ScriptReference = kind_field(StructKind(ScriptReference))
    action_down: ScriptReference = kind_field(StructKind(ScriptReference))


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterTableCellDefinition(ValueStruct):
    """Register table ``table_cell_definition`` (4.3.9)."""

    class_id: int = kind_field(U16)
    logical_name: Obis = kind_field(OBIS)
    group_e_values: tuple[int, ...] = kind_field(array_kind(U8))
    attribute_index: int = kind_field(I8)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangedParameter(ValueStruct):
    """Parameter monitor ``changed_parameter``: which attribute changed and its new value."""

    class_id: int = kind_field(U16)
    logical_name: Obis = kind_field(OBIS)
    attribute_index: int = kind_field(I8)
    value: Any = kind_field(ANY)


@dataclass(frozen=True, slots=True, kw_only=True)
class EmergencyProfile(ValueStruct):
    """Limiter ``emergency_profile`` (4.5.9)."""

    emergency_profile_id: int = kind_field(U16)
    emergency_activation_time: CosemDateTime | None = kind_field(DATE_TIME)
    emergency_duration: int = kind_field(U32)  # seconds


@dataclass(frozen=True, slots=True, kw_only=True)
class LimiterActions(ValueStruct):
    """Limiter ``actions``: scripts run when the value goes over and back under."""

    action_over_threshold: ScriptReference = kind_field(StructKind(ScriptReference))
    action_under_threshold: ScriptReference = kind_field(StructKind(ScriptReference))


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionStatus(ValueStruct):
    """Function control ``activation_status`` element."""

    function_name: bytes = kind_field(OCTETS)
    status: bool = kind_field(BOOL)


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionBlock(ValueStruct):
    """Function control ``function_list`` element: the objects a function consists of."""

    function_name: bytes = kind_field(OCTETS)
    function_specification: tuple[ObjectDefinition, ...] = kind_field(array_kind(ObjectDefinition))


@dataclass(frozen=True, slots=True, kw_only=True)
class ArrayObject(ValueStruct):
    """Array manager ``array_object_list`` element: an id for an array attribute."""

    id: int = kind_field(U8)
    array_attribute: ValueDefinition = kind_field(StructKind(ValueDefinition))


@dataclass(frozen=True, slots=True, kw_only=True)
class ArrayRange(ValueStruct):
    """Array manager ``retrieve_entries``/``remove_entries`` parameter."""

    id: int = kind_field(U8)
    from_entry: int = kind_field(U16)
    to_entry: int = kind_field(U16)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArrayInsert(ValueStruct):
    """Array manager ``insert_entry``/``update_entry`` parameter."""

    id: int = kind_field(U8)
    index: int = kind_field(U16)
    entry: Any = kind_field(ANY)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArbitratorRequest(ValueStruct):
    """Arbitrator ``request_action`` parameter."""

    request_id: int = kind_field(U8)
    request_actions: axdr.BitString = kind_field(BITS)


# ---------------------------------------------------------------------------------------
# Declarations
# ---------------------------------------------------------------------------------------

_A = AttrSpec
_M = MethSpec
_DYN = False
_SCALER_UNIT = StructKind(ScalerUnit)
_CAPTURE_OBJECTS = array_kind(CaptureObjectDefinition)
_SCRIPT_REF = StructKind(ScriptReference)


def _profile(version: int) -> ClassSpec:
    methods = [_M("reset", ZERO), _M("capture", ZERO)]
    if version == 0:
        # Version 0 (Blue Book ed. <= 8) also had buffer access by method; version 1
        # replaced them by selective access on the buffer attribute.
        methods += [_M("get_buffer_by_range", ANY, ANY), _M("get_buffer_by_index", ANY, ANY)]
    return ClassSpec(
        7,
        version,
        "Profile generic",
        (
            _A("buffer", array_kind(ANY), _DYN),
            _A("capture_objects", _CAPTURE_OBJECTS),
            _A("capture_period", U32),
            _A("sort_method", enum_kind(SortMethod)),
            _A("sort_object", StructKind(CaptureObjectDefinition)),
            _A("entries_in_use", U32, _DYN),
            _A("profile_entries", U32),
        ),
        tuple(methods),
    )


CLASSES: tuple[ClassSpec, ...] = (
    ClassSpec(1, 0, "Data", (_A("value", ANY, _DYN),)),
    ClassSpec(
        3,
        0,
        "Register",
        (_A("value", ANY, _DYN), _A("scaler_unit", _SCALER_UNIT)),
        (_M("reset", ZERO),),
    ),
    ClassSpec(
        4,
        0,
        "Extended register",
        (
            _A("value", ANY, _DYN),
            _A("scaler_unit", _SCALER_UNIT),
            _A("status", ANY, _DYN),
            _A("capture_time", DATE_TIME, _DYN),
        ),
        (_M("reset", ZERO),),
    ),
    ClassSpec(
        5,
        0,
        "Demand register",
        (
            _A("current_average", ANY, _DYN),
            _A("last_average", ANY, _DYN),
            _A("scaler_unit", _SCALER_UNIT),
            _A("status", ANY, _DYN),
            _A("capture_time", DATE_TIME, _DYN),
            _A("start_time_current", DATE_TIME, _DYN),
            _A("period", U32),
            _A("number_of_periods", U16),
        ),
        (_M("reset", ZERO), _M("next_period", ZERO)),
    ),
    ClassSpec(
        6,
        0,
        "Register activation",
        (
            _A("register_assignment", array_kind(ObjectDefinition)),
            _A("mask_list", array_kind(RegisterActMask)),
            _A("active_mask", OCTETS, _DYN),
        ),
        (
            _M("add_register", StructKind(ObjectDefinition)),
            _M("add_mask", StructKind(RegisterActMask)),
            _M("delete_mask", OCTETS),
        ),
    ),
    _profile(0),
    _profile(1),
    ClassSpec(
        8,
        0,
        "Clock",
        (
            _A("time", DATE_TIME, _DYN),
            _A("time_zone", I16),  # minutes from UTC (the deviation sign of 4.1.6.1)
            _A("status", U8, _DYN),  # clock_status bits
            _A("daylight_savings_begin", DATE_TIME),
            _A("daylight_savings_end", DATE_TIME),
            _A("daylight_savings_deviation", I8),
            _A("daylight_savings_enabled", BOOL),
            _A("clock_base", enum_kind(ClockBase)),
        ),
        (
            _M("adjust_to_quarter", ZERO),
            _M("adjust_to_measuring_period", ZERO),
            _M("adjust_to_minute", ZERO),
            _M("adjust_to_preset_time", ZERO),
            _M("preset_adjusting_time", StructKind(PresetAdjustingTime)),
            _M("shift_time", I16),  # seconds, -900..900
        ),
    ),
    ClassSpec(
        9,
        0,
        "Script table",
        (_A("scripts", array_kind(Script)),),
        (_M("execute", U16),),
    ),
    ClassSpec(
        10,
        0,
        "Schedule",
        (_A("entries", array_kind(ScheduleEntry)),),
        (
            _M("enable_disable", StructKind(ScheduleEnableDisable)),
            _M("insert", StructKind(ScheduleEntry)),
            _M("delete", StructKind(ScheduleIndexRange)),
        ),
    ),
    ClassSpec(
        11,
        0,
        "Special days table",
        (_A("entries", array_kind(SpecialDay)),),
        (_M("insert", StructKind(SpecialDay)), _M("delete", U16)),
    ),
    ClassSpec(
        20,
        0,
        "Activity calendar",
        (
            _A("calendar_name_active", OCTETS),
            _A("season_profile_active", array_kind(SeasonProfile)),
            _A("week_profile_table_active", array_kind(ActivityWeekProfile)),
            _A("day_profile_table_active", array_kind(ActivityDayProfile)),
            _A("calendar_name_passive", OCTETS),
            _A("season_profile_passive", array_kind(SeasonProfile)),
            _A("week_profile_table_passive", array_kind(ActivityWeekProfile)),
            _A("day_profile_table_passive", array_kind(ActivityDayProfile)),
            _A("activate_passive_calendar_time", DATE_TIME),
        ),
        (_M("activate_passive_calendar", ZERO),),
    ),
    ClassSpec(
        21,
        0,
        "Register monitor",
        (
            _A("thresholds", array_kind(ANY)),
            _A("monitored_value", StructKind(ValueDefinition)),
            _A("actions", array_kind(MonitorActions)),
        ),
    ),
    ClassSpec(
        22,
        0,
        "Single action schedule",
        (
            _A("executed_script", _SCRIPT_REF),
            _A("type", enum_kind(SingleActionType)),
            _A("execution_time", array_kind(ExecutionTime)),
        ),
    ),
    ClassSpec(
        26,
        0,
        "Utility tables",
        (_A("table_id", U16), _A("length", U32, _DYN), _A("buffer", OCTETS, _DYN)),
    ),
    ClassSpec(
        61,
        0,
        "Register table",
        (
            _A("table_cell_values", array_kind(ANY), _DYN),
            _A("table_cell_definition", StructKind(RegisterTableCellDefinition)),
            _A("scaler_unit", _SCALER_UNIT),
        ),
        (_M("reset", ZERO), _M("capture", ZERO)),
    ),
    *(
        ClassSpec(
            62,
            version,
            "Compact data",
            (
                _A("compact_buffer", OCTETS, _DYN),
                # Version 1 capture objects carry a restriction (the push object form).
                _A("capture_objects", _CAPTURE_OBJECTS if version == 0 else array_kind(PushObject)),
                _A("template_id", U8),
                _A("template_description", OCTETS),
                _A("capture_method", enum_kind(CompactDataCaptureMethod)),
            ),
            (_M("reset", ZERO), _M("capture", ZERO)),
        )
        for version in (0, 1)
    ),
    ClassSpec(
        63,
        0,
        "Status mapping",
        (
            _A("status_word", ANY, _DYN),  # CHOICE of a bit-string or unsigned types
            _A("mapping_table", ANY),  # structure {ref_table_id, CHOICE of index arrays}
        ),
    ),
    ClassSpec(
        65,
        0,
        "Parameter monitor",
        (
            _A("changed_parameter", StructKind(ChangedParameter), _DYN),
            _A("capture_time", DATE_TIME, _DYN),
            _A("parameter_list", array_kind(ValueDefinition)),
        ),
        (
            _M("add_parameter", StructKind(ValueDefinition)),
            _M("delete_parameter", StructKind(ValueDefinition)),
        ),
    ),
    # Sensor manager: the attribute table of the Blue Book (ed. 12, class 67); no public
    # implementation was found to cross-check it.
    ClassSpec(
        67,
        0,
        "Sensor manager",
        (
            _A("serial_number", OCTETS),
            _A("metrological_identification", OCTETS),
            _A("output_type", ANY),  # enum, values defined per sensor
            _A("adjustment_method", OCTETS),
            _A("sealing_method", ANY),  # enum
            _A("raw_value", ANY, _DYN),
            _A("scaler_unit", _SCALER_UNIT),
            _A("status", ANY, _DYN),
            _A("capture_time", DATE_TIME, _DYN),
            _A("raw_value_thresholds", array_kind(ANY)),
            _A("raw_value_actions", array_kind(MonitorActions)),
            _A("processed_value", StructKind(ValueDefinition)),
            _A("processed_value_thresholds", array_kind(ANY)),
            _A("processed_value_actions", array_kind(MonitorActions)),
        ),
        (_M("reset", ZERO),),
    ),
    ClassSpec(
        68,
        0,
        "Arbitrator",
        (
            _A("actions", array_kind(_SCRIPT_REF)),
            _A("permissions_table", array_kind(BITS)),
            _A("weightings_table", array_kind(array_kind(U16))),
            _A("most_recent_requests_table", array_kind(BITS), _DYN),
            _A("last_outcome", U8, _DYN),
        ),
        (_M("request_action", StructKind(ArbitratorRequest)), _M("reset", ZERO)),
    ),
    ClassSpec(
        70,
        0,
        "Disconnect control",
        (
            _A("output_state", BOOL, _DYN),
            _A("control_state", enum_kind(ControlState), _DYN),
            _A("control_mode", enum_kind(ControlMode)),
        ),
        (_M("remote_disconnect", ZERO), _M("remote_reconnect", ZERO)),
    ),
    ClassSpec(
        71,
        0,
        "Limiter",
        (
            _A("monitored_value", StructKind(ValueDefinition)),
            _A("threshold_active", ANY, _DYN),
            _A("threshold_normal", ANY),
            _A("threshold_emergency", ANY),
            _A("min_over_threshold_duration", U32),
            _A("min_under_threshold_duration", U32),
            _A("emergency_profile", StructKind(EmergencyProfile)),
            _A("emergency_profile_group_id_list", array_kind(U16)),
            _A("emergency_profile_active", BOOL, _DYN),
            _A("actions", StructKind(LimiterActions)),
        ),
    ),
    ClassSpec(
        122,
        0,
        "Function control",
        (
            _A("activation_status", array_kind(FunctionStatus), _DYN),
            _A("function_list", array_kind(FunctionBlock)),
        ),
        (
            _M("set_function_status", array_kind(FunctionStatus)),
            # One function per call, removed by name (as the Gurux class file sends them).
            _M("add_function", StructKind(FunctionBlock)),
            _M("remove_function", OCTETS),
        ),
    ),
    ClassSpec(
        123,
        0,
        "Array manager",
        (_A("array_object_list", array_kind(ArrayObject)),),
        (
            _M("number_of_entries", U8, U16),
            _M("retrieve_entries", StructKind(ArrayRange), ANY),
            _M("insert_entry", StructKind(ArrayInsert)),
            _M("update_entry", StructKind(ArrayInsert)),
            _M("remove_entries", StructKind(ArrayRange)),
        ),
    ),
    ClassSpec(
        124,
        0,
        "Communication port protection",
        (
            _A("protection_mode", enum_kind(CommunicationPortProtectionMode)),
            _A("allowed_failed_attempts", U16),
            _A("initial_lockout_time", U32),
            _A("steepness_factor", U8),
            _A("max_lockout_time", U32),
            _A("port_reference", OBIS),
            _A("protection_status", enum_kind(CommunicationPortProtectionStatus), _DYN),
            _A("failed_attempts", U32, _DYN),
            _A("cumulative_failed_attempts", U32, _DYN),
        ),
        (_M("reset", ZERO),),
    ),
)
