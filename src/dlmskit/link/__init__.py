"""Link layers: sans-io framing below the APDU layer.

- :mod:`dlmskit.link.hdlc`: HDLC frames (IEC 62056-46 frame format type 3), addresses,
  SNRM/UA parameters, segmentation and a resynchronising frame splitter.
- :mod:`dlmskit.link._events`: the ``NEED_DATA`` sentinel and :class:`LineSettings`
  shared by every link layer.

Every layer takes bytes with ``receive_data`` and hands out events with ``next_event``
(DESIGN.md rules 1 and 2); none of them does I/O or reads the clock.
"""
