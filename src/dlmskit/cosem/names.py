"""Human names for OBIS codes (IEC 62056-6-1; Blue Book DLMS UA 1000-1 clause 7).

:func:`name` gives a readable name for any OBIS code::

    name(Obis(1, 0, 1, 8, 2))   == "Active power+ (QI+QIV), time integral 1, tariff 2"
    name(Obis(0, 0, 1, 0, 0))   == "Clock"
    name(Obis(1, 0, 32, 7, 0))  == "L1 voltage, instantaneous value"

Names come from an exact table of well-known objects first (abstract objects of the Blue
Book 7.4 tables, the IDIS and DSMR P1 object lists), and otherwise are composed from the
value groups (Blue Book 7.3 / 7.5: C = quantity, D = processing, E = tariff or further
classification, F = billing period; B = channel when not 0). :func:`lookup` returns an
:class:`ObisInfo` (name, typical interface class, typical unit) for the codes this module
knows, ``None`` otherwise.

The facts (which code means what) are those of the Blue Book value-group tables as public
projects document them (DSMR 5.0.2 P1 companion standard, IDIS package 2 object lists,
the Gurux OBIS code list "OBISCodes" as shipped in its C library); the wording here is our
own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from dlmskit.cosem.units import Unit
from dlmskit.obis import Obis

__all__ = ["MEDIA", "ObisInfo", "lookup", "name"]


@dataclass(frozen=True, slots=True)
class ObisInfo:
    """What an OBIS code usually names: the object, its interface class, its unit."""

    obis: Obis
    name: str
    class_id: int | None = None
    unit: Unit | None = None


#: Value group A (Blue Book 7.3.2).
MEDIA: Final[dict[int, str]] = {
    0: "Abstract objects",
    1: "Electricity",
    4: "Heat cost allocator",
    5: "Cooling",
    6: "Heat",
    7: "Gas",
    8: "Water (cold)",
    9: "Water (hot)",
    15: "Other media",
}

# ---------------------------------------------------------------------------------------
# Electricity (A = 1): value group C (Blue Book 7.5.1, "Value group C codes –
# electricity"). 1..20 are the sums over all phases (ΣLi); 21..40, 41..60, 61..80 repeat
# them for L1, L2, L3 (C = 20·phase + base), where 11/31/51/71 is current and
# 12/32/52/72 voltage.
# ---------------------------------------------------------------------------------------

_ELEC_BASE: Final[dict[int, tuple[str, Unit | None]]] = {
    1: ("Active power+ (QI+QIV)", Unit.WATT),
    2: ("Active power- (QII+QIII)", Unit.WATT),
    3: ("Reactive power+ (QI+QII)", Unit.VAR),
    4: ("Reactive power- (QIII+QIV)", Unit.VAR),
    5: ("Reactive power QI", Unit.VAR),
    6: ("Reactive power QII", Unit.VAR),
    7: ("Reactive power QIII", Unit.VAR),
    8: ("Reactive power QIV", Unit.VAR),
    9: ("Apparent power+ (QI+QIV)", Unit.VOLT_AMPERE),
    10: ("Apparent power- (QII+QIII)", Unit.VOLT_AMPERE),
    11: ("Current", Unit.AMPERE),
    12: ("Voltage", Unit.VOLT),
    13: ("Power factor", Unit.COUNT),
    14: ("Supply frequency", Unit.HERTZ),
    15: ("Active power |QI+QIV|+|QII+QIII|", Unit.WATT),
    16: ("Active power |QI+QIV|-|QII+QIII|", Unit.WATT),
    17: ("Active power QI", Unit.WATT),
    18: ("Active power QII", Unit.WATT),
    19: ("Active power QIII", Unit.WATT),
    20: ("Active power QIV", Unit.WATT),
}

_ELEC_OTHER_C: Final[dict[int, tuple[str, Unit | None]]] = {
    81: ("Angle", Unit.DEGREE),
    82: ("Unitless quantity (pulses or pieces)", Unit.COUNT),
    83: ("Transformer and line loss quantity", None),
    88: ("Ampere-squared hours", Unit.AMPERE_SQUARED_HOUR),
    89: ("Volt-squared hours", Unit.VOLT_SQUARED_HOUR),
    91: ("Neutral current", Unit.AMPERE),
    92: ("Neutral voltage", Unit.VOLT),
    94: ("Country specific", None),
}

# Value group D for electricity C = 1..92 (Blue Book 7.5.2, "Value group D codes –
# electricity"): processing of the quantity. The integrals turn a power into an energy.
_D_NAMES: Final[dict[int, str]] = {
    0: "billing period average",
    1: "cumulative minimum 1",
    2: "cumulative maximum 1",
    3: "minimum 1",
    4: "current average 1",
    5: "last average 1",
    6: "maximum 1",
    7: "instantaneous value",
    8: "time integral 1",
    9: "time integral 2",
    10: "time integral 3",
    11: "cumulative minimum 2",
    12: "cumulative maximum 2",
    13: "minimum 2",
    14: "current average 2",
    15: "last average 2",
    16: "maximum 2",
    17: "time integral 7",
    18: "time integral 8",
    19: "time integral 9",
    20: "time integral 10",
    21: "cumulative minimum 3",
    22: "cumulative maximum 3",
    23: "minimum 3",
    24: "current average 3",
    25: "last average 3",
    26: "maximum 3",
    27: "current average 5",
    28: "current average 6",
    29: "time integral 5",
    30: "time integral 6",
    31: "under limit threshold",
    32: "under limit occurrence counter",
    33: "under limit duration",
    34: "under limit magnitude",
    35: "over limit threshold",
    36: "over limit occurrence counter",
    37: "over limit duration",
    38: "over limit magnitude",
    39: "missing threshold",
    40: "missing occurrence counter",
    41: "missing duration",
    42: "missing magnitude",
    46: "contracted value",
    51: "minimum for recording interval 1",
    52: "minimum for recording interval 2",
    53: "maximum for recording interval 1",
    54: "maximum for recording interval 2",
    55: "test average",
    58: "time integral 4",
}
_D_INTEGRALS: Final = frozenset({8, 9, 10, 17, 18, 19, 20, 29, 30, 58})
_D_EXTREMES: Final = frozenset({1, 2, 3, 6, 11, 12, 13, 16, 21, 22, 23, 26, 51, 52, 53, 54})
_D_AVERAGES: Final = frozenset({0, 4, 5, 14, 15, 24, 25, 27, 28, 55})
_D_COUNTERS: Final = frozenset({32, 36, 40})
_D_DURATIONS: Final = frozenset({33, 37, 41})
# Processings whose value group E is a tariff (Blue Book 7.5.3: E = 0 total, 1..63 tariff).
_D_TARIFFED: Final = _D_INTEGRALS | _D_EXTREMES | _D_AVERAGES | {46}

_ENERGY_OF: Final[dict[Unit, Unit]] = {
    Unit.WATT: Unit.WATT_HOUR,
    Unit.VAR: Unit.VAR_HOUR,
    Unit.VOLT_AMPERE: Unit.VOLT_AMPERE_HOUR,
    Unit.AMPERE: Unit.AMPERE_HOUR,
}

# ---------------------------------------------------------------------------------------
# Exact entries. A group given as None matches any value; "{b}" / "{e}" in the name are
# filled from the code. Order matters: the first match wins.
# ---------------------------------------------------------------------------------------

_Pattern = tuple[int | None, int | None, int | None, int | None, int | None, int | None]
_Entry = tuple[_Pattern, str, int | None, Unit | None]

_E_MINUS_1: Final = "{e_minus_1}"

_EXACT: Final[list[_Entry]] = [
    # --- Abstract objects, Blue Book 7.4 ------------------------------------------------
    ((0, None, 0, 1, 0, None), "Billing period counter", 1, Unit.COUNT),
    ((0, None, 0, 1, 1, 255), "Number of available billing periods", 1, Unit.COUNT),
    ((0, None, 0, 1, 2, None), "Time stamp of the billing period", 1, None),
    ((0, None, 0, 2, 0, 255), "Active firmware identifier", 1, None),
    ((0, None, 0, 2, 1, 255), "Parameter scheme identifier", 1, None),
    ((0, None, 0, 2, 8, 255), "Active firmware signature", 1, None),
    ((0, None, 0, 9, 1, 255), "Local time", 1, None),
    ((0, None, 0, 9, 2, 255), "Local date", 1, None),
    ((0, None, 1, 0, 0, 255), "Clock", 8, None),
    ((0, None, 1, 0, None, 255), "Clock {e}", 8, None),
    ((0, None, 2, 0, 0, 255), "Modem configuration", 27, None),
    ((0, None, 2, 1, None, 255), "Auto connect", 29, None),
    ((0, None, 2, 2, None, 255), "Auto answer", 28, None),
    ((0, None, 10, 0, 0, 255), "Global meter reset script table", 9, None),
    ((0, None, 10, 0, 1, 255), "MDI reset / end of billing period script table", 9, None),
    ((0, None, 10, 0, 100, 255), "Tariffication script table", 9, None),
    ((0, None, 10, 0, 101, 255), "Activate test mode script table", 9, None),
    ((0, None, 10, 0, 102, 255), "Activate normal mode script table", 9, None),
    ((0, None, 10, 0, 103, 255), "Set output signals script table", 9, None),
    ((0, None, 10, 0, 104, 255), "Switch optical test output script table", 9, None),
    ((0, None, 10, 0, 105, 255), "Power quality measurement management script table", 9, None),
    ((0, None, 10, 0, 106, 255), "Disconnect control script table", 9, None),
    ((0, None, 10, 0, 107, 255), "Image activation script table", 9, None),
    ((0, None, 10, 0, 108, 255), "Push script table", 9, None),
    ((0, None, 10, None, None, 255), "Script table", 9, None),
    ((0, None, 11, 0, None, 255), "Special days table", 11, None),
    ((0, None, 12, 0, None, 255), "Schedule", 10, None),
    ((0, None, 13, 0, None, 255), "Activity calendar", 20, None),
    ((0, None, 14, 0, None, 255), "Register activation", 6, None),
    ((0, None, 15, 0, 0, 255), "End of billing period single action schedule", 22, None),
    ((0, None, 15, 0, 1, 255), "Disconnect control single action schedule", 22, None),
    ((0, None, 15, 0, 2, 255), "Image activation single action schedule", 22, None),
    ((0, None, 15, 0, 3, 255), "Output control single action schedule", 22, None),
    ((0, None, 15, 0, 4, 255), "Push single action schedule", 22, None),
    ((0, None, 15, None, None, 255), "Single action schedule", 22, None),
    ((0, None, 16, 0, None, 255), "Register monitor", 21, None),
    ((0, None, 16, 1, None, 255), "Alarm monitor", 21, None),
    ((0, None, 16, 2, None, 255), "Parameter monitor", 65, None),
    ((0, None, 17, 0, None, 255), "Limiter", 71, None),
    ((0, None, 18, 0, None, 255), "Array manager", 123, None),
    ((0, None, 19, 0, None, 255), "Sensor manager", 67, None),
    ((0, None, 20, 0, 0, 255), "IEC optical port setup", 19, None),
    ((0, None, 20, 0, 1, 255), "IEC electrical port setup", 19, None),
    ((0, None, 21, 0, 0, 255), "General local port readout", 7, None),
    ((0, None, 21, 0, 1, 255), "General display readout", 7, None),
    ((0, None, 21, 0, 2, 255), "Alternate display readout", 7, None),
    ((0, None, 21, 0, 3, 255), "Service display readout", 7, None),
    ((0, None, 21, 0, 4, 255), "List of configurable meter data", 7, None),
    ((0, None, 21, 0, 5, 255), "Additional readout profile 1", 7, None),
    ((0, None, 21, 0, 6, 255), "Standard readout profile", 7, None),
    ((0, None, 22, 0, 0, 255), "IEC HDLC setup", 23, None),
    ((0, None, 23, 0, 0, 255), "IEC twisted pair (1) setup", 24, None),
    ((0, None, 24, 0, 0, 255), "M-Bus slave port setup", 25, None),
    ((0, None, 24, 1, 0, 255), "M-Bus client", 72, None),
    ((0, None, 24, 1, 1, 255), "M-Bus device type", None, None),
    ((0, None, 24, 2, None, 255), "M-Bus value {e}", 4, None),
    ((0, None, 24, 3, 0, 255), "M-Bus profile generic", 7, None),
    ((0, None, 24, 4, 0, 255), "M-Bus disconnect control", 70, None),
    ((0, None, 24, 5, 0, 255), "M-Bus control log", 7, None),
    ((0, None, 24, 6, 0, 255), "M-Bus master port setup", 74, None),
    ((0, None, 24, 8, 0, 255), "DLMS/COSEM server M-Bus port setup", 76, None),
    ((0, None, 24, 9, 0, 255), "M-Bus diagnostic", 77, None),
    ((0, None, 25, 0, 0, 255), "TCP-UDP setup", 41, None),
    ((0, None, 25, 1, 0, 255), "IPv4 setup", 42, None),
    ((0, None, 25, 2, 0, 255), "MAC address setup", 43, None),
    ((0, None, 25, 3, 0, 255), "PPP setup", 44, None),
    ((0, None, 25, 4, 0, 255), "GPRS modem setup", 45, None),
    ((0, None, 25, 5, 0, 255), "SMTP setup", 46, None),
    ((0, None, 25, 6, 0, 255), "GSM diagnostic", 47, None),
    ((0, None, 25, 7, 0, 255), "IPv6 setup", 48, None),
    ((0, None, 25, 9, 0, 255), "Push setup", 40, None),
    ((0, None, 25, 9, None, 255), "Push setup {e}", 40, None),
    ((0, None, 25, 10, 0, 255), "NTP setup", 100, None),
    ((0, None, 25, 11, 0, 255), "LTE monitoring", 151, None),
    ((0, 0, 40, 0, 0, 255), "Current association", 15, None),
    ((0, 0, 40, 0, None, 255), "Association {e}", 15, None),
    ((0, 0, 41, 0, 0, 255), "SAP assignment", 17, None),
    ((0, 0, 42, 0, 0, 255), "COSEM logical device name", 1, None),
    ((0, 0, 43, 0, None, 255), "Security setup {e}", 64, None),
    ((0, None, 43, 1, None, 255), "Invocation counter {e}", 1, Unit.COUNT),
    ((0, 0, 44, 0, None, 255), "Image transfer {e}", 18, None),
    ((0, 0, 44, 1, None, 255), "Function control {e}", 122, None),
    ((0, 0, 44, 2, None, 255), "Communication port protection {e}", 124, None),
    ((0, 0, 65, 0, None, 255), "Utility tables {e}", 26, None),
    # Abstract data of general service entries, Blue Book 7.4.5 (C = 96) and DSMR P1.
    ((0, None, 96, 1, 0, 255), "Device ID 1 (manufacturing number)", 1, None),
    ((0, 0, 96, 1, 1, 255), "Device ID 2 (DSMR: equipment identifier)", 1, None),
    ((0, 0, 96, 1, 4, 255), "Device ID 5 (DSMR: version information)", 1, None),
    # Norwegian HAN (NVE) lists carry the meter type in device ID 8 (PUSH-10).
    ((0, 0, 96, 1, 7, 255), "Device ID 8 (NVE HAN: meter type)", 1, None),
    ((0, None, 96, 1, 10, 255), "Metering point ID", 1, None),
    ((0, None, 96, 1, 255, 255), "Complete device ID", 7, None),
    ((0, None, 96, 1, None, 255), "Device ID " + _E_MINUS_1, 1, None),
    ((0, None, 96, 2, 0, 255), "Number of configuration program changes", 1, Unit.COUNT),
    ((0, None, 96, 2, 1, 255), "Date of last configuration program change", 1, None),
    ((0, None, 96, 2, 5, 255), "Date of last calibration", 1, None),
    ((0, None, 96, 2, 13, 255), "Date of last firmware activation", 1, None),
    ((0, None, 96, 2, None, 255), "Parameter changes and calibration {e}", 1, None),
    ((0, None, 96, 3, 10, 255), "Disconnect control", 70, None),
    ((0, None, 96, 3, None, 255), "Input/output control signals {e}", 1, None),
    ((0, None, 96, 4, None, 255), "Internal control signals {e}", 1, None),
    ((0, None, 96, 5, None, 255), "Internal operating status {e}", 1, None),
    ((0, None, 96, 6, 0, 255), "Battery use time counter", 3, Unit.SECOND),
    ((0, None, 96, 6, 3, 255), "Battery voltage", 3, Unit.VOLT),
    ((0, None, 96, 6, None, 255), "Battery entry {e}", 1, None),
    ((0, None, 96, 7, 0, 255), "Number of power failures in all three phases", 1, Unit.COUNT),
    ((0, None, 96, 7, 1, 255), "Number of power failures in phase L1", 1, Unit.COUNT),
    ((0, None, 96, 7, 2, 255), "Number of power failures in phase L2", 1, Unit.COUNT),
    ((0, None, 96, 7, 3, 255), "Number of power failures in phase L3", 1, Unit.COUNT),
    ((0, None, 96, 7, 9, 255), "Number of long power failures in any phase", 1, Unit.COUNT),
    ((0, None, 96, 7, 19, 255), "Duration of long power failure in any phase", 3, Unit.SECOND),
    ((0, None, 96, 7, 20, 255), "Time threshold for long power failure", 3, Unit.SECOND),
    ((0, None, 96, 7, 21, 255), "Number of power failures in any phase", 1, Unit.COUNT),
    ((0, None, 96, 7, None, 255), "Power failure monitoring {e}", 1, None),
    ((0, None, 96, 8, None, 255), "Operating time {e}", 3, None),
    ((0, None, 96, 9, 0, 255), "Ambient temperature", 3, Unit.DEGREE_CELSIUS),
    ((0, None, 96, 9, 1, 255), "Ambient pressure", 3, None),
    ((0, None, 96, 9, 2, 255), "Relative humidity", 3, Unit.PERCENT),
    ((0, None, 96, 10, None, 255), "Status register {e}", 1, None),
    ((0, None, 96, 11, None, 255), "Event code {e}", 1, None),
    ((0, None, 96, 12, 5, 255), "GSM field strength", 1, None),
    ((0, None, 96, 12, None, 255), "Communication port log parameter {e}", 1, None),
    # DSMR P1 carries its text message in 96.13.0 (and in DSMR 4 a code in 96.13.1).
    ((0, None, 96, 13, 0, 255), "Consumer message via the local consumer port", 1, None),
    ((0, None, 96, 13, 1, 255), "Consumer message via the display", 1, None),
    ((0, None, 96, 14, 0, 255), "Currently active tariff", 1, None),
    ((0, None, 96, 14, None, 255), "Currently active tariff {e}", 1, None),
    ((0, None, 96, 15, None, 255), "Event counter {e}", 1, Unit.COUNT),
    ((0, None, 96, 16, None, 255), "Profile entry digital signature {e}", 1, None),
    ((0, None, 96, 17, None, 255), "Profile entry counter {e}", 1, Unit.COUNT),
    ((0, None, 96, 20, None, 255), "Meter tamper event related {e}", 1, None),
    ((0, None, 97, 97, 0, 255), "Error register", 1, None),
    ((0, None, 97, 97, None, 255), "Error register {e}", 1, None),
    ((0, None, 97, 98, 0, 255), "Alarm register 1", 1, None),
    ((0, None, 97, 98, 1, 255), "Alarm register 2", 1, None),
    ((0, None, 97, 98, 10, 255), "Alarm filter 1", 1, None),
    ((0, None, 97, 98, 11, 255), "Alarm filter 2", 1, None),
    ((0, None, 97, 98, 20, 255), "Alarm descriptor 1", 1, None),
    ((0, None, 97, 98, 21, 255), "Alarm descriptor 2", 1, None),
    ((0, None, 97, 98, None, 255), "Alarm register object {e}", 1, None),
    ((0, None, 98, 1, None, None), "Data of billing period, scheme 1", 7, None),
    ((0, None, 98, 2, None, None), "Data of billing period, scheme 2", 7, None),
    ((0, None, 99, 1, None, 255), "Load profile with recording period 1", 7, None),
    ((0, None, 99, 2, None, 255), "Load profile with recording period 2", 7, None),
    ((0, None, 99, 3, 0, 255), "Load profile during test", 7, None),
    ((0, None, 99, 12, None, 255), "Connection profile", 7, None),
    # Event logs as the IDIS object list numbers them (0-0:99.98.e).
    ((0, None, 99, 98, 0, 255), "Standard event log", 7, None),
    ((0, None, 99, 98, 1, 255), "Fraud detection event log", 7, None),
    ((0, None, 99, 98, 2, 255), "Disconnector control event log", 7, None),
    ((0, None, 99, 98, 3, 255), "M-Bus event log", 7, None),
    ((0, None, 99, 98, 4, 255), "Power quality event log", 7, None),
    ((0, None, 99, 98, 5, 255), "Communication event log", 7, None),
    ((0, None, 99, 98, None, 255), "Event log {e}", 7, None),
    # --- Electricity general purpose, Blue Book 7.5.1 (C = 0) ---------------------------
    ((1, None, 0, 0, None, 255), "Electricity ID " + _E_MINUS_1, 1, None),
    ((1, None, 0, 1, 0, None), "Billing period counter", 1, Unit.COUNT),
    ((1, None, 0, 0, 255, 255), "Complete combined electricity ID", 7, None),
    ((1, None, 0, 1, 2, None), "Time stamp of the billing period", 1, None),
    ((1, None, 0, 2, 0, 255), "Active firmware identifier", 1, None),
    ((1, None, 0, 2, 1, 255), "Parameter record number", 1, None),
    ((1, None, 0, 2, 2, 255), "Time switch program number", 1, None),
    ((1, None, 0, 2, 3, 255), "RCR program number", 1, None),
    ((1, None, 0, 2, 4, 255), "Meter connection diagram ID", 1, None),
    ((1, None, 0, 2, 7, 255), "Passive calendar name", 1, None),
    ((1, None, 0, 2, 8, 255), "Active firmware signature", 1, None),
    # Norwegian HAN (NVE) list version identifier, a manufacturer-range E (PUSH-10).
    ((1, 1, 0, 2, 129, 255), "OBIS list version identifier (NVE HAN)", 1, None),
    ((1, None, 0, 3, 0, 255), "Active energy meter constant", 1, Unit.PER_WATT_HOUR),
    ((1, None, 0, 3, 1, 255), "Reactive energy meter constant", 1, Unit.PER_VAR_HOUR),
    ((1, None, 0, 3, 2, 255), "Apparent energy meter constant", 1, Unit.PER_VOLT_AMPERE_HOUR),
    ((1, None, 0, 4, 0, 255), "Reading factor for power", 1, None),
    ((1, None, 0, 4, 1, 255), "Reading factor for energy", 1, None),
    ((1, None, 0, 4, 2, 255), "Current transformer ratio numerator", 1, None),
    ((1, None, 0, 4, 3, 255), "Voltage transformer ratio numerator", 1, None),
    ((1, None, 0, 4, 5, 255), "Current transformer ratio denominator", 1, None),
    ((1, None, 0, 4, 6, 255), "Voltage transformer ratio denominator", 1, None),
    ((1, None, 0, 6, 0, 255), "Nominal voltage", 3, Unit.VOLT),
    ((1, None, 0, 6, 1, 255), "Basic/nominal current", 3, Unit.AMPERE),
    ((1, None, 0, 6, 2, 255), "Nominal frequency", 3, Unit.HERTZ),
    ((1, None, 0, 6, 3, 255), "Maximum current", 3, Unit.AMPERE),
    ((1, None, 0, 8, 0, 255), "Measurement period 1 for averages", 1, Unit.SECOND),
    ((1, None, 0, 8, 1, 255), "Measurement period 2 for averages", 1, Unit.SECOND),
    ((1, None, 0, 8, 2, 255), "Measurement period for instantaneous values", 1, Unit.SECOND),
    ((1, None, 0, 8, 4, 255), "Recording interval 1 for load profile", 1, Unit.SECOND),
    ((1, None, 0, 8, 5, 255), "Recording interval 2 for load profile", 1, Unit.SECOND),
    ((1, None, 0, 8, 6, 255), "Billing period length", 1, None),
    ((1, None, 0, 9, 1, 255), "Local time", 1, None),
    ((1, None, 0, 9, 2, 255), "Local date", 1, None),
    ((1, None, 96, 1, None, 255), "Electricity device ID " + _E_MINUS_1, 1, None),
    ((1, None, 96, 5, None, 255), "Electricity internal operating status {e}", 1, None),
    ((1, None, 98, 1, 0, None), "Data of billing period, scheme 1 (billing profile)", 7, None),
    ((1, None, 98, 1, None, None), "Data of billing period, scheme 1, instance {e}", 7, None),
    ((1, None, 98, 2, None, None), "Data of billing period, scheme 2", 7, None),
    ((1, None, 99, 1, 0, 255), "Load profile with recording period 1", 7, None),
    ((1, None, 99, 1, None, 255), "Load profile with recording period 1, instance {e}", 7, None),
    ((1, None, 99, 2, 0, 255), "Load profile with recording period 2", 7, None),
    ((1, None, 99, 2, None, 255), "Load profile with recording period 2, instance {e}", 7, None),
    ((1, None, 99, 3, 0, 255), "Load profile during test", 7, None),
    ((1, None, 99, 97, 0, 255), "Power failure event log", 7, None),
    ((1, None, 99, 98, None, 255), "Electricity event log {e}", 7, None),
    ((1, 3, 0, 2, 8, 255), "DSMR P1 version information", 1, None),
    # DSMR P1: voltage sags/swells per phase (counters, class 1).
    ((1, 0, 32, 32, 0, 255), "Number of voltage sags in phase L1", 1, Unit.COUNT),
    ((1, 0, 52, 32, 0, 255), "Number of voltage sags in phase L2", 1, Unit.COUNT),
    ((1, 0, 72, 32, 0, 255), "Number of voltage sags in phase L3", 1, Unit.COUNT),
    ((1, 0, 32, 36, 0, 255), "Number of voltage swells in phase L1", 1, Unit.COUNT),
    ((1, 0, 52, 36, 0, 255), "Number of voltage swells in phase L2", 1, Unit.COUNT),
    ((1, 0, 72, 36, 0, 255), "Number of voltage swells in phase L3", 1, Unit.COUNT),
]


def _match(pattern: _Pattern, code: Obis) -> bool:
    return all(p is None or p == g for p, g in zip(pattern, code, strict=True))


def _fill(template: str, code: Obis) -> str:
    return template.replace(_E_MINUS_1, str(code[4] + 1)).format(e=code[4])


def _f_suffix(f: int) -> str:
    """Value group F (Blue Book 7.3.7): billing periods and historical values."""
    if f == 255:
        return ""
    if f <= 99:
        return f", billing period {f}"
    if 101 <= f <= 125:
        return f", {f - 100} most recent value(s)"
    if f == 126:
        return ", unspecified number of most recent values"
    return f", F={f}"


def _phase_of(c: int) -> tuple[str, int]:
    """(phase prefix, base quantity 1..20) of an electricity C code 1..80."""
    if c <= 20:
        return "", c
    phase = (c - 1) // 20
    return f"L{phase} ", (c - 1) % 20 + 1


def _electricity(code: Obis) -> tuple[str, int | None, Unit | None] | None:
    _, _, c, d, e, _ = code
    if 1 <= c <= 80:
        phase, base = _phase_of(c)
        quantity, unit = _ELEC_BASE[base]
        if phase:
            quantity = phase + quantity[0].lower() + quantity[1:]
        elif base in {11, 12}:
            quantity = f"{quantity}, any phase"
    elif c in _ELEC_OTHER_C:
        quantity, unit = _ELEC_OTHER_C[c]
    else:
        return None
    processing = _D_NAMES.get(d)
    if processing is None:
        processing = "manufacturer specific processing" if d >= 128 else f"processing {d}"
    parts = [quantity, processing]
    if d in _D_TARIFFED:
        parts.append("total" if e == 0 else f"tariff {e}" if e <= 63 else f"E={e}")
    elif e != 0:
        parts.append(f"E={e}")
    if d in _D_INTEGRALS:
        unit = _ENERGY_OF.get(unit) if unit is not None else None
        class_id: int | None = 3
    elif d in _D_COUNTERS:
        unit, class_id = Unit.COUNT, 1
    elif d in _D_DURATIONS:
        unit, class_id = Unit.SECOND, 3
    elif d in {4, 14, 24, 27, 28}:
        class_id = 5  # current average: Demand register
    elif d in _D_EXTREMES:
        class_id = 4  # extremes carry their capture time: Extended register
    else:
        class_id = 3
    return ", ".join(parts), class_id, unit


# Other media, value group C (Blue Book 7.6 .. 7.9), the most used quantities only.
_MEDIA_C: Final[dict[int, dict[int, tuple[str, Unit | None]]]] = {
    4: {
        1: ("Unrated integral", None),
        2: ("Rated integral", None),
        3: ("Radiator surface temperature", Unit.DEGREE_CELSIUS),
        4: ("Heating medium temperature", Unit.DEGREE_CELSIUS),
        5: ("Flow (forward) temperature", Unit.DEGREE_CELSIUS),
        6: ("Return temperature", Unit.DEGREE_CELSIUS),
        7: ("Room temperature", Unit.DEGREE_CELSIUS),
    },
    5: {
        1: ("Energy", Unit.JOULE),
        2: ("Accounted volume", Unit.CUBIC_METRE),
        3: ("Accounted mass", Unit.KILOGRAM),
        4: ("Flow volume", Unit.CUBIC_METRE),
        5: ("Flow mass", Unit.KILOGRAM),
        6: ("Return volume", Unit.CUBIC_METRE),
        7: ("Return mass", Unit.KILOGRAM),
        8: ("Power", Unit.WATT),
        9: ("Flow rate", Unit.CUBIC_METRE_PER_HOUR),
        10: ("Flow temperature", Unit.DEGREE_CELSIUS),
        11: ("Return temperature", Unit.DEGREE_CELSIUS),
        12: ("Temperature difference", Unit.KELVIN),
    },
    7: {
        1: ("Forward undisturbed meter volume", Unit.CUBIC_METRE),
        2: ("Forward disturbed meter volume", Unit.CUBIC_METRE),
        3: ("Forward absolute meter volume", Unit.CUBIC_METRE),
        11: ("Forward undisturbed converted volume", Unit.CUBIC_METRE_CORRECTED),
        13: ("Forward absolute converted volume", Unit.CUBIC_METRE_CORRECTED),
        31: ("Energy", Unit.JOULE),
        41: ("Absolute temperature", Unit.KELVIN),
        42: ("Absolute pressure", Unit.PASCAL),
        43: ("Flow rate", Unit.CUBIC_METRE_PER_HOUR),
    },
    8: {
        1: ("Accumulated volume", Unit.CUBIC_METRE),
        2: ("Flow rate", Unit.CUBIC_METRE_PER_HOUR),
        3: ("Forward temperature", Unit.DEGREE_CELSIUS),
    },
}
_MEDIA_C[6] = _MEDIA_C[5]
_MEDIA_C[9] = _MEDIA_C[8]


def _other_media(code: Obis) -> tuple[str, int | None, Unit | None] | None:
    a, _, c, d, e, _ = code
    table = _MEDIA_C.get(a)
    if table is None or c not in table:
        return None
    quantity, unit = table[c]
    text = f"{MEDIA[a]}: {quantity[0].lower()}{quantity[1:]}, D={d}"
    if e:
        text += f", E={e}"
    return text, 3, unit


@functools.lru_cache(maxsize=4096)
def _find(code: Obis) -> tuple[str, int | None, Unit | None, bool] | None:
    """(name, class id, unit, the name already accounts for F) or None (memoised: a
    profile names its columns on every read, an association view every object)."""
    for pattern, template, class_id, unit in _EXACT:
        if _match(pattern, code):
            return _fill(template, code), class_id, unit, pattern[5] is not None
    composer: Callable[[Obis], tuple[str, int | None, Unit | None] | None]
    composer = _electricity if code[0] == 1 else _other_media
    found = composer(code)
    if found is None:
        return None
    return *found, False


def _as_obis(obis: Obis | str | bytes) -> Obis:
    if isinstance(obis, Obis):
        return obis
    if isinstance(obis, str):
        return Obis.parse(obis)
    if isinstance(obis, bytes | bytearray):
        return Obis.from_bytes(obis)
    raise TypeError(f"obis must be an Obis, str or bytes, not {type(obis).__name__}")


def lookup(obis: Obis | str | bytes) -> ObisInfo | None:
    """What this module knows about ``obis``: name, typical class id and unit; else None.

    Codes matched by neither the exact table nor the electricity / media composition
    (manufacturer ranges, reserved groups) give ``None``; :func:`name` still names them.
    """
    code = _as_obis(obis)
    found = _find(code)
    if found is None:
        return None
    text, class_id, unit, has_f = found
    return ObisInfo(code, _decorate(text, code, has_f), class_id, unit)


def _decorate(text: str, code: Obis, has_f: bool) -> str:
    if code[1] != 0:  # value group B: the channel (Blue Book 7.3.3)
        text += f", channel {code[1]}"
    if not has_f:
        text += _f_suffix(code[5])
    return text


def name(obis: Obis | str | bytes) -> str:
    """A human name for any OBIS code (never raises for a valid code).

    Unknown codes are described by their groups, e.g. ``"Electricity, C=200 D=1 E=0"`` or
    ``"Manufacturer specific (abstract), C=128 D=0 E=0"``.
    """
    code = _as_obis(obis)
    info = lookup(code)
    if info is not None:
        return info.name
    a, b, c, d, e, f = code
    medium = MEDIA.get(a, f"Medium {a}")
    if 128 <= c <= 199:  # Blue Book 7.3.4: C = 128..199 manufacturer specific
        medium = f"Manufacturer specific ({medium.lower()})"
    text = f"{medium}, C={c} D={d} E={e}"
    if b:
        text += f", channel {b}"
    return text + _f_suffix(f)
