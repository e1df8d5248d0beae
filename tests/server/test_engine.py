"""The engine (server/engine.py) answering real request APDUs directly, without a
transport: with-list SET / ACTION, ACCESS, unconfirmed services, SN writes and method
calls, and the state file restored in-process (the subprocess tests of test_state.py
restart a real process; these look at every kind of row)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dlmskit import axdr
from dlmskit.apdu import access, action, get, sn
from dlmskit.apdu import set as set_
from dlmskit.apdu.common import (
    ActionResult,
    CosemAttributeDescriptor,
    CosemMethodDescriptor,
    DataAccessResult,
    InvokeIdAndPriority,
    LongInvokeIdAndPriority,
)
from dlmskit.obis import Obis
from dlmskit.server import Meter, load_model, loads_model
from dlmskit.server.engine import SN_FIRST_BASE, SN_STRIDE
from dlmskit.server.objects import ImageTransfer
from dlmskit.server.state import StateStore
from dlmskit.session._events import (
    AccessRequested,
    ActionRequested,
    SetRequested,
    WriteRequested,
)

NOW = 1_800_000_000.0
IIP = InvokeIdAndPriority(0xC1)
UNCONFIRMED = InvokeIdAndPriority(0x81)  # service class 0: no answer


def attr(class_id: int, obis: str, attribute: int) -> CosemAttributeDescriptor:
    return CosemAttributeDescriptor(
        class_id=class_id, instance_id=Obis.parse(obis), attribute_id=attribute
    )


def meth(class_id: int, obis: str, method: int) -> CosemMethodDescriptor:
    return CosemMethodDescriptor(class_id=class_id, instance_id=Obis.parse(obis), method_id=method)


def answer(meter: Meter, event: Any, sap: int = 1) -> Any:
    return meter.handle(event, client_sap=sap, now=NOW)


def test_set_and_action_with_list_and_unconfirmed() -> None:
    meter = Meter.from_model(load_model(), now=NOW)
    request = set_.SetRequestWithList(
        invoke_id_and_priority=IIP,
        attribute_descriptor_list=(
            get.CosemAttributeDescriptorWithSelection(
                cosem_attribute_descriptor=attr(23, "0.0.22.0.0.255", 8)
            ),
            get.CosemAttributeDescriptorWithSelection(
                cosem_attribute_descriptor=attr(3, "1.0.1.8.0.255", 2)
            ),
        ),
        value_list=(axdr.LongUnsigned(60), axdr.DoubleLongUnsigned(1)),
    )
    response = answer(meter, SetRequested(invoke_id=1, request=request))
    assert response.result == (DataAccessResult.SUCCESS, DataAccessResult.READ_WRITE_DENIED)
    calls = action.ActionRequestWithList(
        invoke_id_and_priority=IIP,
        cosem_method_descriptor_list=(
            meth(70, "0.0.96.3.10.255", 1),
            meth(70, "0.0.96.3.10.255", 9),
        ),
        method_invocation_parameters=(axdr.Integer(0), axdr.Integer(0)),
    )
    results = answer(meter, ActionRequested(invoke_id=2, request=calls)).list_of_responses
    assert [r.result for r in results] == [ActionResult.SUCCESS, ActionResult.OBJECT_UNAVAILABLE]
    assert meter.connected is False
    quiet = set_.SetRequestNormal(
        invoke_id_and_priority=UNCONFIRMED,
        cosem_attribute_descriptor=attr(23, "0.0.22.0.0.255", 8),
        value=axdr.LongUnsigned(61),
    )
    assert answer(meter, SetRequested(invoke_id=3, request=quiet)) is None  # unconfirmed
    assert meter.find(23, Obis.parse("0.0.22.0.0.255").to_bytes()).values[8] == 61  # type: ignore[union-attr]


def test_access_get_set_action() -> None:
    meter = Meter.from_model(load_model(), now=NOW)
    request = access.AccessRequest(
        long_invoke_id_and_priority=LongInvokeIdAndPriority.of(5, confirmed=True),
        access_request_specification=(
            access.AccessRequestGet(cosem_attribute_descriptor=attr(1, "0.0.42.0.0.255", 2)),
            access.AccessRequestSet(cosem_attribute_descriptor=attr(23, "0.0.22.0.0.255", 8)),
            access.AccessRequestAction(cosem_method_descriptor=meth(70, "0.0.96.3.10.255", 2)),
            access.AccessRequestGet(cosem_attribute_descriptor=attr(7, "9.9.9.9.9.9", 2)),
        ),
        access_request_list_of_data=(None, axdr.LongUnsigned(99), axdr.Integer(0), None),
    )
    response = answer(meter, AccessRequested(invoke_id=5, request=request))
    assert [r.result for r in response.access_response_specification] == [
        DataAccessResult.SUCCESS,
        DataAccessResult.SUCCESS,
        ActionResult.SUCCESS,
        DataAccessResult.OBJECT_UNDEFINED,
    ]
    assert bytes(response.access_response_list_of_data[0]).startswith(b"DLK")
    public = answer(meter, AccessRequested(invoke_id=5, request=request), sap=16)
    assert public.access_response_specification[1].result == DataAccessResult.READ_WRITE_DENIED


SN_MODEL = """
associations:
  sn: {client: 16, referencing: SN, access: read-write}
objects:
  - {obis: 0.0.96.3.10.255, class: 70, behaviour: disconnect_control}
  - obis: 0.0.96.1.0.255
    class: 1
    attributes: {2: {visible-string: "A"}}
"""


def test_sn_write_method_call_and_errors() -> None:
    meter = Meter.from_model(loads_model(SN_MODEL), now=NOW)
    disconnect, data = SN_FIRST_BASE, SN_FIRST_BASE + SN_STRIDE
    method_1 = disconnect + 8 * 4  # after the 4 attributes of class 70
    write = sn.WriteRequest(
        variable_access_specification=(
            sn.VariableName(variable_name=data + 8),
            sn.VariableName(variable_name=method_1),
            sn.VariableName(variable_name=0x0800),
        ),
        list_of_data=(axdr.VisibleString("B"), axdr.Integer(0), None),
    )
    results = answer(meter, WriteRequested(request=write), sap=16).results
    assert isinstance(results[0], sn.WriteSuccess) and isinstance(results[1], sn.WriteSuccess)
    assert results[2] == DataAccessResult.OBJECT_UNDEFINED
    assert meter.connected is False  # the method ran through a write, as SN does it
    read = sn.ReadRequest(
        variable_access_specification=(
            sn.VariableName(variable_name=data + 8),
            sn.ParameterizedAccess(
                variable_name=method_1 + 8, selector=0, parameter=axdr.Integer(0)
            ),
        )
    )
    from dlmskit.session._events import ReadRequested

    values = answer(meter, ReadRequested(request=read), sap=16).results
    assert values[0].data == axdr.VisibleString("B")
    assert meter.connected is True  # remote_reconnect through a parameterized read


def test_every_kind_of_state_row_is_restored(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    store = StateStore(path)
    meter = Meter.from_model(load_model(), now=NOW, state=store)
    hdlc = attr(23, "0.0.22.0.0.255", 8)
    assert meter.write(_ctx(meter), hdlc, axdr.LongUnsigned(77)) == DataAccessResult.SUCCESS
    meter.set_time(NOW + 3600, NOW)
    meter.set_connected(False, NOW)
    meter.change_secret(3, b"new-secret", NOW)
    meter.counter_seen("global-unicast", b"CLIENT01", 4242)
    image = meter.find(18, Obis.parse("0.0.44.0.0.255").to_bytes())
    assert isinstance(image, ImageTransfer)
    image.identifier, image.size, image.status = b"IMG", 300, ImageTransfer.INITIATED
    image.blocks[0] = bytes(192)
    meter.persist_image(image, 0)
    store.close()

    again = StateStore(path)
    restored = Meter.from_model(load_model(), now=NOW + 10, state=again)
    assert restored.find(23, Obis.parse("0.0.22.0.0.255").to_bytes()).values[8] == 77  # type: ignore[union-attr]
    assert abs(restored.clock_offset - 3600) < 1e-6
    assert restored.connected is False
    assert restored.secrets[3] == b"new-secret"
    assert restored.epoch == meter.epoch
    assert restored.published_counter() >= 4242
    copy = restored.find(18, Obis.parse("0.0.44.0.0.255").to_bytes())
    assert isinstance(copy, ImageTransfer)
    assert (copy.identifier, copy.size, copy.first_missing()) == (b"IMG", 300, 1)
    assert [code for _, code in restored.events][-1] == 1  # started again
    again.close()


def _ctx(meter: Meter) -> Any:
    from dlmskit.server.objects import Context

    association = meter.model.association(1)
    assert association is not None
    return Context(now=NOW, client_sap=1, association=association)
