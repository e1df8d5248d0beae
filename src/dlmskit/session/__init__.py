"""The application session: association, authentication, services, release (sans-io).

``ClientSession(ClientSettings(...))`` and ``ServerSession(ServerSettings(...),
client_sap=...)`` take APDU bytes from the link (``receive_apdu``), requests from the
application (``send``), and give events (``next_event``) and APDUs for the link
(``data_to_send``). Time is passed in.
"""

from dlmskit.session._events import (
    NEED_DATA,
    Action,
    ActionRequested,
    ActionResult,
    ActionWithList,
    Associate,
    AssociationAccepted,
    AssociationEstablished,
    AssociationRejected,
    AuthenticationFailed,
    DataNotificationReceived,
    ExceptionReceived,
    Get,
    GetRequested,
    GetResult,
    GetWithList,
    LateResponse,
    MethodCall,
    ProtocolViolation,
    Release,
    Released,
    RequestTimedOut,
    Set,
    SetRequested,
    SetResult,
    SetWithList,
)
from dlmskit.session.client import ClientInput, ClientSession, ClientState
from dlmskit.session.server import ServerInput, ServerSession, ServerState
from dlmskit.session.settings import (
    AssociationConfig,
    ClientSettings,
    Referencing,
    ServerSettings,
)

__all__ = [
    "NEED_DATA",
    "Action",
    "ActionRequested",
    "ActionResult",
    "ActionWithList",
    "Associate",
    "AssociationAccepted",
    "AssociationConfig",
    "AssociationEstablished",
    "AssociationRejected",
    "AuthenticationFailed",
    "ClientInput",
    "ClientSession",
    "ClientSettings",
    "ClientState",
    "DataNotificationReceived",
    "ExceptionReceived",
    "Get",
    "GetRequested",
    "GetResult",
    "GetWithList",
    "LateResponse",
    "MethodCall",
    "ProtocolViolation",
    "Referencing",
    "Release",
    "Released",
    "RequestTimedOut",
    "ServerInput",
    "ServerSession",
    "ServerSettings",
    "ServerState",
    "Set",
    "SetRequested",
    "SetResult",
    "SetWithList",
]
