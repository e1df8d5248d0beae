"""Payment metering interface classes (Blue Book, DLMS UA 1000-1, 4.6.x payment metering).

======  ================  ========  ===================================================
class   name              versions  notes
======  ================  ========  ===================================================
111     Account           0         19 attributes; activate/close/reset account
112     Credit            0         update_amount, set_amount_to_value, invoke_credit
113     Charge            0         unit charge (active/passive), collect, ...
115     Token gateway     0         enter (a token)
116     IEC 62055-41      0         STS attributes (as the Gurux class file documents them)
======  ================  ========  ===================================================

Facts from the Blue Book attribute tables as the Gurux class files document them (no code
copied).
"""

from __future__ import annotations

from dataclasses import dataclass

from dlmskit import axdr
from dlmskit.apdu.common import OpenIntEnum
from dlmskit.cosem.classes._declare import (
    BITS,
    DATE_TIME,
    DATE_TIME_TAGGED,
    I8,
    I16,
    I32,
    OBIS,
    OCTETS,
    U8,
    U16,
    U32,
    U64,
    UTF8,
    VISIBLE,
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
from dlmskit.obis import Obis

__all__ = [
    "AccountModeAndStatus",
    "AccountStatus",
    "ChargePerUnitScaling",
    "ChargeTableElement",
    "ChargeType",
    "CommodityReference",
    "CreditChargeConfiguration",
    "CreditStatus",
    "CreditType",
    "Currency",
    "CurrencyUnit",
    "MeterPan",
    "PaymentMode",
    "TokenDeliveryMethod",
    "TokenGatewayConfiguration",
    "TokenStatus",
    "TokenStatusCode",
    "UnitCharge",
]


class PaymentMode(OpenIntEnum):
    """Account ``account_mode_and_status.payment_mode``."""

    CREDIT = 1
    PREPAYMENT = 2


class AccountStatus(OpenIntEnum):
    """Account ``account_mode_and_status.account_status``."""

    NEW_INACTIVE = 1
    ACTIVE = 2
    CLOSED = 3


class CurrencyUnit(OpenIntEnum):
    """Account ``currency.currency_unit``."""

    TIME = 0
    CONSUMPTION = 1
    MONETARY = 2


class CreditType(OpenIntEnum):
    """Credit ``type``."""

    TOKEN = 0
    RESERVED = 1
    EMERGENCY = 2
    TIME_BASED = 3
    CONSUMPTION_BASED = 4


class CreditStatus(OpenIntEnum):
    """Credit ``status``."""

    ENABLED = 0
    SELECTABLE = 1
    SELECTED_INVOKED = 2
    IN_USE = 3
    EXHAUSTED = 4


class ChargeType(OpenIntEnum):
    """Charge ``charge_type``."""

    CONSUMPTION_BASED = 0
    TIME_BASED = 1
    PAYMENT_EVENT_BASED = 2


class TokenDeliveryMethod(OpenIntEnum):
    """Token gateway ``token_delivery_method``."""

    REMOTE = 0
    LOCAL = 1
    MANUAL = 2


class TokenStatusCode(OpenIntEnum):
    """Token gateway ``token_status.status_code``."""

    FORMAT_OK = 0
    AUTHENTICATION_OK = 1
    VALIDATION_OK = 2
    TOKEN_EXECUTION_OK = 3
    TOKEN_FORMAT_FAILURE = 4
    AUTHENTICATION_FAILURE = 5
    VALIDATION_RESULT_FAILURE = 6
    TOKEN_EXECUTION_RESULT_FAILURE = 7
    TOKEN_RECEIVED = 8


_value = dataclass(frozen=True, slots=True, kw_only=True)


@_value
class AccountModeAndStatus(ValueStruct):
    """Account ``account_mode_and_status ::= structure {payment_mode, account_status}``."""

    payment_mode: PaymentMode = kind_field(enum_kind(PaymentMode))
    account_status: AccountStatus = kind_field(enum_kind(AccountStatus))


@_value
class CreditChargeConfiguration(ValueStruct):
    """Account ``credit_charge_configuration`` element.

    ``structure {credit_reference: octet-string, charge_reference: octet-string,
    collection_configuration: bit-string}`` (references are logical names).
    """

    credit_reference: bytes = kind_field(OCTETS)
    charge_reference: bytes = kind_field(OCTETS)
    collection_configuration: axdr.BitString = kind_field(BITS)


@_value
class TokenGatewayConfiguration(ValueStruct):
    """Account ``token_gateway_configuration`` element ``{credit_reference, proportion}``."""

    credit_reference: bytes = kind_field(OCTETS)
    token_proportion: int = kind_field(U8)


@_value
class Currency(ValueStruct):
    """Account ``currency ::= structure {currency_name: utf8-string, scale: integer, unit}``."""

    name: str = kind_field(UTF8)
    scale: int = kind_field(I8)
    unit: CurrencyUnit = kind_field(enum_kind(CurrencyUnit))


@_value
class ChargePerUnitScaling(ValueStruct):
    """Charge ``charge_per_unit_scaling ::= structure {commodity_scale, price_scale}``."""

    commodity_scale: int = kind_field(I8)
    price_scale: int = kind_field(I8)


@_value
class CommodityReference(ValueStruct):
    """Charge ``commodity ::= structure {class_id, logical_name, attribute_index}``."""

    class_id: int = kind_field(U16)
    logical_name: Obis = kind_field(OBIS)
    attribute_index: int = kind_field(I8)


@_value
class ChargeTableElement(ValueStruct):
    """Charge ``charge_table`` element ``{index: octet-string, charge_per_unit: long}``."""

    index: bytes = kind_field(OCTETS)
    charge_per_unit: int = kind_field(I16)


@_value
class UnitCharge(ValueStruct):
    """Charge ``unit_charge_active`` / ``unit_charge_passive`` (and update_unit_charge).

    ``structure {charge_per_unit_scaling, commodity, charge_table: array
    charge_table_element}``.
    """

    charge_per_unit_scaling: ChargePerUnitScaling = kind_field(StructKind(ChargePerUnitScaling))
    commodity: CommodityReference = kind_field(StructKind(CommodityReference))
    charge_table: tuple[ChargeTableElement, ...] = kind_field(array_kind(ChargeTableElement))


@_value
class TokenStatus(ValueStruct):
    """Token gateway ``token_status ::= structure {status_code: enum, data_value: bit-string}``."""

    status_code: TokenStatusCode = kind_field(enum_kind(TokenStatusCode))
    data_value: axdr.BitString = kind_field(BITS)


# ---------------------------------------------------------------------------------------
# Class declarations (Blue Book attribute and method tables)
# ---------------------------------------------------------------------------------------


@_value
class MeterPan(ValueStruct):
    """IEC 62055-41 attributes ``meter_pan`` (primary account number of an STS meter).

    ``structure {issuer_id: double-long-unsigned, decoder_reference_number:
    long64-unsigned, pan_check_digit: unsigned}``.
    """

    issuer_id: int = kind_field(U32)
    decoder_reference_number: int = kind_field(U64)
    pan_check_digit: int = kind_field(U8)


_A = AttrSpec
_M = MethSpec
_DYN = False
_UNIT_CHARGE = StructKind(UnitCharge)

CLASSES: tuple[ClassSpec, ...] = (
    ClassSpec(
        111,
        0,
        "Account",
        (
            _A("account_mode_and_status", StructKind(AccountModeAndStatus), _DYN),
            _A("current_credit_in_use", U8, _DYN),
            _A("current_credit_status", BITS, _DYN),
            _A("available_credit", I32, _DYN),
            _A("amount_to_clear", I32, _DYN),
            _A("clearance_threshold", I32),
            _A("aggregated_debt", I32, _DYN),
            _A("credit_reference_list", array_kind(OBIS)),
            _A("charge_reference_list", array_kind(OBIS)),
            _A("credit_charge_configuration", array_kind(CreditChargeConfiguration)),
            _A("token_gateway_configuration", array_kind(TokenGatewayConfiguration)),
            _A("account_activation_time", DATE_TIME),
            _A("account_closure_time", DATE_TIME),
            _A("currency", StructKind(Currency)),
            _A("low_credit_threshold", I32),
            _A("next_credit_available_threshold", I32),
            _A("max_provision", U16),
            _A("max_provision_period", I32),
        ),
        (_M("activate_account", ZERO), _M("close_account", ZERO), _M("reset_account", ZERO)),
    ),
    ClassSpec(
        112,
        0,
        "Credit",
        (
            _A("current_credit_amount", I32, _DYN),
            _A("type", enum_kind(CreditType)),
            _A("priority", U8),
            _A("warning_threshold", I32),
            _A("limit", I32),
            _A("credit_configuration", BITS),
            _A("status", enum_kind(CreditStatus), _DYN),
            _A("preset_credit_amount", I32),
            _A("credit_available_threshold", I32),
            _A("period", DATE_TIME),
        ),
        (
            _M("update_amount", I32),
            _M("set_amount_to_value", I32),
            # unsigned as Gurux sends it (the credit status to invoke); any integer kept.
            _M("invoke_credit", IntKind(axdr.Unsigned, any_int=True)),
        ),
    ),
    ClassSpec(
        113,
        0,
        "Charge",
        (
            _A("total_amount_paid", I32, _DYN),
            _A("charge_type", enum_kind(ChargeType)),
            _A("priority", U8),
            _A("unit_charge_active", _UNIT_CHARGE),
            _A("unit_charge_passive", _UNIT_CHARGE),
            _A("unit_charge_activation_time", DATE_TIME),
            _A("period", U32),
            _A("charge_configuration", BITS),
            _A("last_collection_time", DATE_TIME_TAGGED, _DYN),
            _A("last_collection_amount", I32, _DYN),
            _A("total_amount_remaining", I32, _DYN),
            _A("proportion", U16),
        ),
        (
            _M("update_unit_charge", _UNIT_CHARGE),
            _M("activate_passive_unit_charge", ZERO),
            _M("collect", ZERO),
            _M("update_total_amount_remaining", I32),
            _M("set_total_amount_remaining", I32),
        ),
    ),
    ClassSpec(
        115,
        0,
        "Token gateway",
        (
            _A("token", OCTETS, _DYN),
            _A("token_time", DATE_TIME, _DYN),
            _A("token_description", array_kind(OCTETS), _DYN),
            _A("token_delivery_method", enum_kind(TokenDeliveryMethod), _DYN),
            _A("token_status", StructKind(TokenStatus), _DYN),
        ),
        (_M("enter", OCTETS),),
    ),
    ClassSpec(
        116,
        0,
        "IEC 62055-41 attributes",
        (
            _A("meter_pan", StructKind(MeterPan)),
            _A("commodity", VISIBLE),
            _A("token_carrier_types", array_kind(U8)),
            _A("encryption_algorithm", U8),
            _A("supply_group_code", U32),
            _A("tariff_index", U8),
            _A("key_revision_number", U8),
            _A("key_type", U8),
            _A("key_expiry_number", U8),
            _A("no_of_kct_supported", U8),
            _A("sts_certificate_identifier", VISIBLE),
        ),
    ),
)
