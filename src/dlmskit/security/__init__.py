"""The DLMS/COSEM security layer (Green Book 9.2.7): ciphering, authentication
mechanisms, key material and invocation counters.

Pure functions and explicit state on the ``cryptography`` package: no I/O, no clock.
Keys, passwords and plaintext never appear in reprs, logs or exception messages; tags are
compared in constant time (DESIGN.md rule 10). :mod:`dlmskit.security.ciphering` holds the
AES-GCM core of security suites 0, 1 and 2 and protect / unprotect of the ciphered APDUs.
"""
