"""Physical units and the ``scaler_unit`` attribute (Blue Book, DLMS UA 1000-1, 4.3.2).

The Register class (class id 3) and its relatives carry ``scaler_unit``::

    scal_unit_type ::= structure {
        scaler  integer,   -- value = raw × 10^scaler
        unit    enum       -- "Enumerated values for physical units" table
    }

:class:`Unit` is that enumeration: 1 (a, year) … 72 (dB), the imperial/US customary block
128 … 174, 254 (other unit) and 255 (no unit / count). Values the table does not name are
kept as ``UNKNOWN_<n>`` members (manufacturers use reserved codes) instead of failing.

:meth:`ScalerUnit.apply` scales exactly: the result is a :class:`decimal.Decimal` built
from the integer with its exponent moved, so ``12345 × 10^-3`` is ``Decimal("12.345")``,
never the binary float ``12.345000000000001``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from dlmskit import axdr
from dlmskit.apdu.common import OpenIntEnum
from dlmskit.errors import DecodeError

__all__ = ["UNIT_TABLE", "ScalerUnit", "Unit", "UnitInfo"]


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """One row of the unit table: the printed symbol, the quantity and the unit's name."""

    symbol: str
    quantity: str
    name: str


# Facts of the Blue Book table "Enumerated values for physical units" (4.3.2, class 3
# scaler_unit), numbering cross-checked with the Gurux enumeration ``Unit`` (facts only).
# 58, 59, 68, 69 and 73..127 are not assigned; 175..253 are reserved.
UNIT_TABLE: dict[int, UnitInfo] = {
    1: UnitInfo("a", "time", "year"),
    2: UnitInfo("mo", "time", "month"),
    3: UnitInfo("wk", "time", "week"),
    4: UnitInfo("d", "time", "day"),
    5: UnitInfo("h", "time", "hour"),
    6: UnitInfo("min", "time", "minute"),
    7: UnitInfo("s", "time", "second"),
    8: UnitInfo("°", "(phase) angle", "degree"),
    9: UnitInfo("°C", "temperature", "degree Celsius"),
    10: UnitInfo("currency", "(local) currency", "currency"),
    11: UnitInfo("m", "length", "metre"),
    12: UnitInfo("m/s", "speed", "metre per second"),
    13: UnitInfo("m³", "volume", "cubic metre"),
    14: UnitInfo("m³", "corrected volume", "cubic metre"),
    15: UnitInfo("m³/h", "volume flux", "cubic metre per hour"),
    16: UnitInfo("m³/h", "corrected volume flux", "cubic metre per hour"),
    17: UnitInfo("m³/d", "volume flux", "cubic metre per day"),
    18: UnitInfo("m³/d", "corrected volume flux", "cubic metre per day"),
    19: UnitInfo("l", "volume", "litre"),
    20: UnitInfo("kg", "mass", "kilogram"),
    21: UnitInfo("N", "force", "newton"),
    22: UnitInfo("Nm", "energy", "newton metre"),
    23: UnitInfo("Pa", "pressure", "pascal"),
    24: UnitInfo("bar", "pressure", "bar"),
    25: UnitInfo("J", "energy", "joule"),
    26: UnitInfo("J/h", "thermal power", "joule per hour"),
    27: UnitInfo("W", "active power", "watt"),
    28: UnitInfo("VA", "apparent power", "volt-ampere"),
    29: UnitInfo("var", "reactive power", "var"),
    30: UnitInfo("Wh", "active energy", "watt hour"),
    31: UnitInfo("VAh", "apparent energy", "volt-ampere hour"),
    32: UnitInfo("varh", "reactive energy", "var hour"),
    33: UnitInfo("A", "current", "ampere"),
    34: UnitInfo("C", "electrical charge", "coulomb"),
    35: UnitInfo("V", "voltage", "volt"),
    36: UnitInfo("V/m", "electric field strength", "volt per metre"),
    37: UnitInfo("F", "capacitance", "farad"),
    38: UnitInfo("Ω", "resistance", "ohm"),
    39: UnitInfo("Ωm²/m", "resistivity", "ohm square metre per metre"),
    40: UnitInfo("Wb", "magnetic flux", "weber"),
    41: UnitInfo("T", "magnetic flux density", "tesla"),
    42: UnitInfo("A/m", "magnetic field strength", "ampere per metre"),
    43: UnitInfo("H", "inductance", "henry"),
    44: UnitInfo("Hz", "frequency", "hertz"),
    45: UnitInfo("1/(Wh)", "active energy meter constant or pulse value", "per watt hour"),
    46: UnitInfo("1/(varh)", "reactive energy meter constant or pulse value", "per var hour"),
    47: UnitInfo(
        "1/(VAh)", "apparent energy meter constant or pulse value", "per volt-ampere hour"
    ),
    48: UnitInfo("V²h", "volt-squared hour", "volt-squared hour"),
    49: UnitInfo("A²h", "ampere-squared hour", "ampere-squared hour"),
    50: UnitInfo("kg/s", "mass flux", "kilogram per second"),
    51: UnitInfo("S", "conductance", "siemens"),
    52: UnitInfo("K", "temperature", "kelvin"),
    53: UnitInfo("1/(V²h)", "volt-squared hour meter constant or pulse value", "per V²h"),
    54: UnitInfo("1/(A²h)", "ampere-squared hour meter constant or pulse value", "per A²h"),
    55: UnitInfo("1/m³", "meter constant or pulse value (volume)", "per cubic metre"),
    56: UnitInfo("%", "percentage", "percent"),
    57: UnitInfo("Ah", "ampere hours", "ampere hour"),
    60: UnitInfo("Wh/m³", "energy per volume", "watt hour per cubic metre"),
    61: UnitInfo("J/m³", "calorific value, Wobbe index", "joule per cubic metre"),
    62: UnitInfo("mol %", "molar fraction of gas composition", "mole percent"),
    63: UnitInfo("g/m³", "mass density, quantity of material", "gram per cubic metre"),
    64: UnitInfo("Pa s", "dynamic viscosity", "pascal second"),
    65: UnitInfo("J/kg", "specific energy", "joule per kilogram"),
    66: UnitInfo("g/cm²", "pressure", "gram per square centimetre"),
    67: UnitInfo("atm", "pressure", "atmosphere"),
    70: UnitInfo("dBm", "signal strength", "decibel milliwatt"),
    71: UnitInfo("dBµV", "signal strength", "decibel microvolt"),
    72: UnitInfo("dB", "logarithmic ratio", "decibel"),
    128: UnitInfo("in", "length", "inch"),
    129: UnitInfo("ft", "length", "foot"),
    130: UnitInfo("lb", "mass", "pound"),
    131: UnitInfo("°F", "temperature", "degree Fahrenheit"),
    132: UnitInfo("°R", "temperature", "degree Rankine"),
    133: UnitInfo("sq in", "area", "square inch"),
    134: UnitInfo("sq ft", "area", "square foot"),
    135: UnitInfo("ac", "area", "acre"),
    136: UnitInfo("cu in", "volume", "cubic inch"),
    137: UnitInfo("cu ft", "volume", "cubic foot"),
    138: UnitInfo("ac-ft", "volume", "acre-foot"),
    139: UnitInfo("gal (imp)", "volume", "imperial gallon"),
    140: UnitInfo("gal (US)", "volume", "US gallon"),
    141: UnitInfo("lbf", "force", "pound-force"),
    142: UnitInfo("psi", "pressure", "pound-force per square inch"),
    143: UnitInfo("lb/cu ft", "density", "pound per cubic foot"),
    144: UnitInfo("lb/(ft s)", "dynamic viscosity", "pound per foot second"),
    145: UnitInfo("sq ft/s", "kinematic viscosity", "square foot per second"),
    146: UnitInfo("Btu", "energy", "British thermal unit"),
    147: UnitInfo("thm (EC)", "energy", "therm (EC)"),
    148: UnitInfo("thm (US)", "energy", "therm (US)"),
    149: UnitInfo("Btu/lb", "specific energy", "Btu per pound"),
    150: UnitInfo("Btu/cu ft", "calorific value", "Btu per cubic foot"),
    151: UnitInfo("cu ft", "corrected volume", "cubic foot"),
    152: UnitInfo("ft/s", "speed", "foot per second"),
    153: UnitInfo("cu ft/s", "volume flux", "cubic foot per second"),
    154: UnitInfo("cu ft/min", "volume flux", "cubic foot per minute"),
    155: UnitInfo("cu ft/h", "volume flux", "cubic foot per hour"),
    156: UnitInfo("cu ft/d", "volume flux", "cubic foot per day"),
    157: UnitInfo("ac-ft/s", "volume flux", "acre-foot per second"),
    158: UnitInfo("ac-ft/min", "volume flux", "acre-foot per minute"),
    159: UnitInfo("ac-ft/h", "volume flux", "acre-foot per hour"),
    160: UnitInfo("ac-ft/d", "volume flux", "acre-foot per day"),
    161: UnitInfo("imp gal", "volume", "imperial gallon"),
    162: UnitInfo("imp gal/s", "volume flux", "imperial gallon per second"),
    163: UnitInfo("imp gal/min", "volume flux", "imperial gallon per minute"),
    164: UnitInfo("imp gal/h", "volume flux", "imperial gallon per hour"),
    165: UnitInfo("imp gal/d", "volume flux", "imperial gallon per day"),
    166: UnitInfo("US gal", "volume", "US gallon"),
    167: UnitInfo("US gal/s", "volume flux", "US gallon per second"),
    168: UnitInfo("US gal/min", "volume flux", "US gallon per minute"),
    169: UnitInfo("US gal/h", "volume flux", "US gallon per hour"),
    170: UnitInfo("US gal/d", "volume flux", "US gallon per day"),
    171: UnitInfo("Btu/s", "power", "Btu per second"),
    172: UnitInfo("Btu/min", "power", "Btu per minute"),
    173: UnitInfo("Btu/h", "power", "Btu per hour"),
    174: UnitInfo("Btu/d", "power", "Btu per day"),
    254: UnitInfo("", "other unit", "other unit"),
    255: UnitInfo("", "no unit, unitless, count", "count"),
}


class Unit(OpenIntEnum):
    """The Blue Book enumeration of physical units (``scal_unit_type.unit``).

    ``Unit(30).symbol == "Wh"``; codes the table does not name become ``UNKNOWN_<n>``
    pseudo-members (``.known`` is False) whose symbol is empty.
    """

    YEAR = 1
    MONTH = 2
    WEEK = 3
    DAY = 4
    HOUR = 5
    MINUTE = 6
    SECOND = 7
    DEGREE = 8
    DEGREE_CELSIUS = 9
    CURRENCY = 10
    METRE = 11
    METRE_PER_SECOND = 12
    CUBIC_METRE = 13
    CUBIC_METRE_CORRECTED = 14
    CUBIC_METRE_PER_HOUR = 15
    CUBIC_METRE_PER_HOUR_CORRECTED = 16
    CUBIC_METRE_PER_DAY = 17
    CUBIC_METRE_PER_DAY_CORRECTED = 18
    LITRE = 19
    KILOGRAM = 20
    NEWTON = 21
    NEWTON_METRE = 22
    PASCAL = 23
    BAR = 24
    JOULE = 25
    JOULE_PER_HOUR = 26
    WATT = 27
    VOLT_AMPERE = 28
    VAR = 29
    WATT_HOUR = 30
    VOLT_AMPERE_HOUR = 31
    VAR_HOUR = 32
    AMPERE = 33
    COULOMB = 34
    VOLT = 35
    VOLT_PER_METRE = 36
    FARAD = 37
    OHM = 38
    OHM_SQUARE_METRE_PER_METRE = 39
    WEBER = 40
    TESLA = 41
    AMPERE_PER_METRE = 42
    HENRY = 43
    HERTZ = 44
    PER_WATT_HOUR = 45
    PER_VAR_HOUR = 46
    PER_VOLT_AMPERE_HOUR = 47
    VOLT_SQUARED_HOUR = 48
    AMPERE_SQUARED_HOUR = 49
    KILOGRAM_PER_SECOND = 50
    SIEMENS = 51
    KELVIN = 52
    PER_VOLT_SQUARED_HOUR = 53
    PER_AMPERE_SQUARED_HOUR = 54
    PER_CUBIC_METRE = 55
    PERCENT = 56
    AMPERE_HOUR = 57
    WATT_HOUR_PER_CUBIC_METRE = 60
    JOULE_PER_CUBIC_METRE = 61
    MOLE_PERCENT = 62
    GRAM_PER_CUBIC_METRE = 63
    PASCAL_SECOND = 64
    JOULE_PER_KILOGRAM = 65
    GRAM_PER_SQUARE_CENTIMETRE = 66
    ATMOSPHERE = 67
    DBM = 70
    DB_MICROVOLT = 71
    DB = 72
    INCH = 128
    FOOT = 129
    POUND = 130
    DEGREE_FAHRENHEIT = 131
    DEGREE_RANKINE = 132
    SQUARE_INCH = 133
    SQUARE_FOOT = 134
    ACRE = 135
    CUBIC_INCH = 136
    CUBIC_FOOT = 137
    ACRE_FOOT = 138
    GALLON_IMPERIAL = 139
    GALLON_US = 140
    POUND_FORCE = 141
    POUND_FORCE_PER_SQUARE_INCH = 142
    POUND_PER_CUBIC_FOOT = 143
    POUND_PER_FOOT_SECOND = 144
    SQUARE_FOOT_PER_SECOND = 145
    BTU = 146
    THERM_EC = 147
    THERM_US = 148
    BTU_PER_POUND = 149
    BTU_PER_CUBIC_FOOT = 150
    CUBIC_FOOT_CORRECTED = 151
    FOOT_PER_SECOND = 152
    CUBIC_FOOT_PER_SECOND = 153
    CUBIC_FOOT_PER_MINUTE = 154
    CUBIC_FOOT_PER_HOUR = 155
    CUBIC_FOOT_PER_DAY = 156
    ACRE_FOOT_PER_SECOND = 157
    ACRE_FOOT_PER_MINUTE = 158
    ACRE_FOOT_PER_HOUR = 159
    ACRE_FOOT_PER_DAY = 160
    IMPERIAL_GALLON = 161
    IMPERIAL_GALLON_PER_SECOND = 162
    IMPERIAL_GALLON_PER_MINUTE = 163
    IMPERIAL_GALLON_PER_HOUR = 164
    IMPERIAL_GALLON_PER_DAY = 165
    US_GALLON = 166
    US_GALLON_PER_SECOND = 167
    US_GALLON_PER_MINUTE = 168
    US_GALLON_PER_HOUR = 169
    US_GALLON_PER_DAY = 170
    BTU_PER_SECOND = 171
    BTU_PER_MINUTE = 172
    BTU_PER_HOUR = 173
    BTU_PER_DAY = 174
    OTHER = 254
    COUNT = 255

    @property
    def symbol(self) -> str:
        """The printed symbol (``"Wh"``, ``"m³"``); empty for other/count/unknown codes."""
        info = UNIT_TABLE.get(int(self))
        return info.symbol if info is not None else ""

    @property
    def quantity(self) -> str:
        """The quantity the unit measures, as the Blue Book table names it."""
        info = UNIT_TABLE.get(int(self))
        return info.quantity if info is not None else f"reserved unit {int(self)}"

    @property
    def unit_name(self) -> str:
        """The unit's name in words (``"watt hour"``)."""
        info = UNIT_TABLE.get(int(self))
        return info.name if info is not None else f"reserved unit {int(self)}"


# Unit 0 is not in the table but appears in the wild (meters that leave scaler_unit
# unset); OpenIntEnum keeps it as UNKNOWN_0 rather than failing.


def _scale(raw: int | Decimal, scaler: int) -> Decimal:
    """``raw × 10^scaler`` without rounding (the exponent moves; digits stay)."""
    d = raw if isinstance(raw, Decimal) else Decimal(raw)
    sign, digits, exponent = d.as_tuple()
    if not isinstance(exponent, int):  # NaN / infinity: nothing to scale
        return d
    return Decimal((sign, digits, exponent + scaler))


@dataclass(frozen=True, slots=True)
class ScalerUnit:
    """``scal_unit_type`` (Blue Book 4.3.2): value = raw × 10^scaler, in ``unit``.

    ``from_data``/``to_data`` convert from/to the A-XDR structure
    ``{integer scaler, enum unit}`` byte-exactly.
    """

    scaler: int
    unit: Unit

    def __post_init__(self) -> None:
        if isinstance(self.scaler, bool) or not isinstance(self.scaler, int):
            raise TypeError(f"scaler must be an int, not {type(self.scaler).__name__}")
        if not -128 <= self.scaler <= 127:
            raise ValueError(f"scaler must be in -128..127 (integer), got {self.scaler}")
        unit: Any = self.unit
        if isinstance(unit, bool) or not isinstance(unit, int):
            raise TypeError(f"unit must be a Unit or int, not {type(unit).__name__}")
        if not isinstance(unit, Unit):
            if not 0 <= unit <= 255:
                raise ValueError(f"unit must be in 0..255 (enum), got {unit}")
            object.__setattr__(self, "unit", Unit(unit))

    @classmethod
    def from_data(cls, value: axdr.Value) -> ScalerUnit:
        """Read ``structure {integer scaler, enum unit}``.

        Anything else raises :class:`~dlmskit.errors.DecodeError` (offset ``None``: the value
        is already decoded) naming what was found.
        """
        if not isinstance(value, axdr.Structure) or len(value) != 2:
            raise DecodeError(
                f"scaler_unit must be structure {{integer, enum}}, got {_describe(value)}"
            )
        scaler, unit = value
        if not isinstance(scaler, axdr.Integer):
            raise DecodeError(f"scaler_unit.scaler must be integer, got {_describe(scaler)}")
        if not isinstance(unit, axdr.Enum):
            raise DecodeError(f"scaler_unit.unit must be enum, got {_describe(unit)}")
        return cls(int(scaler), Unit(int(unit)))

    @classmethod
    def from_bytes(cls, data: bytes) -> ScalerUnit:
        """Decode the tagged A-XDR bytes of a scaler_unit, e.g. ``02 02 0F FD 16 1E``."""
        return cls.from_data(axdr.decode(data))

    def to_data(self) -> axdr.Structure:
        """The A-XDR structure ``{integer scaler, enum unit}``."""
        return axdr.Structure((axdr.Integer(self.scaler), axdr.Enum(int(self.unit))))

    def to_bytes(self) -> bytes:
        """Tagged A-XDR bytes (``02 02 0F <scaler> 16 <unit>``)."""
        return axdr.encode(self.to_data())

    def apply(self, raw: int | Decimal) -> Decimal:
        """The physical value ``raw × 10^scaler`` as an exact :class:`~decimal.Decimal`.

        ``ScalerUnit(-3, Unit.WATT_HOUR).apply(12345) == Decimal("12.345")``. Floats are
        refused: a float32/float64 register value should be converted by the caller
        (``Decimal(repr(x))``) so that the choice of rounding stays visible.
        """
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
            raise TypeError(f"raw must be an int or Decimal, not {type(raw).__name__}")
        return _scale(raw, self.scaler)

    def unapply(self, value: Decimal | int) -> int:
        """The raw integer whose scaled value is ``value`` (inverse of :meth:`apply`).

        Raises ValueError when ``value`` is not a whole multiple of 10^scaler.
        """
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise TypeError(f"value must be a Decimal or int, not {type(value).__name__}")
        try:
            raw = _scale(Decimal(value), -self.scaler)
            if raw != raw.to_integral_value():
                raise ValueError(
                    f"value {value} is not a multiple of 10^{self.scaler} {self.unit.symbol}"
                )
            return int(raw)
        except InvalidOperation as exc:
            raise ValueError(f"value {value} cannot be scaled") from exc

    def __str__(self) -> str:
        symbol = self.unit.symbol or self.unit.unit_name
        return f"10^{self.scaler} {symbol}"


def _describe(value: object) -> str:
    try:
        return f"{axdr.data_type_of(value).dlms_name} {value!r}"
    except (TypeError, ValueError):
        return type(value).__name__
