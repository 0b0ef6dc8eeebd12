"""TLS: the real server behind HTTPS on 127.0.0.1 with a certificate from a private CA made here with
``cryptography``. The laptop refuses it by default (the typed ``tls`` error, nothing sent) and syncs once
given the CA bundle (``verify=`` path, as ``--ca-bundle`` / ``FIELDAPP_CA_BUNDLE`` pass it)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import threading
import time
from dataclasses import replace

import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from fieldapp.db import models as m
from fieldapp.server import accounts
from fieldapp.server.app import create_app
from fieldapp.server.db import make_engine
from fieldapp.server.settings import Settings
from fieldapp.services import enrolment, sync
from fieldapp.sync.client import SyncClient, SyncError
from tests.conftest import PASSWORD, open_as
from tests.factories import enrolment as make
from tests.factories import nik_for


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def make_ca_and_cert(folder) -> tuple[str, str, str]:
    """(CA bundle, server certificate chain, server key) as PEM files: a CA and a leaf for IP 127.0.0.1."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("fieldapp test CA")).issuer_name(_name("fieldapp test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(ca_file), str(cert_file), str(key_file)


@pytest.fixture
def https_server(db_url, tmp_path):
    """The real app under uvicorn with TLS, in a thread: (https URL, CA bundle path, server engine)."""
    ca, cert, key = make_ca_and_cert(tmp_path)
    engine = make_engine(db_url)
    app = create_app(replace(Settings(db_url=db_url)), engine=engine)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", ssl_certfile=cert,
                                           ssl_keyfile=key))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the HTTPS server did not start"
        time.sleep(0.01)
    yield f"https://127.0.0.1:{port}", ca, engine
    server.should_exit = True
    thread.join(10)
    sock.close()
    engine.dispose()


def test_client_verifies_tls_by_default_and_uses_the_ca_bundle(https_server):
    url, ca, _engine = https_server
    assert SyncClient(url).session.verify is True  # the default: the system's trust store
    with pytest.raises(SyncError) as err:
        SyncClient(url, retries=0).health()
    assert err.value.code == "tls" and err.value.indonesian.startswith("Sertifikat server tidak dipercaya")
    assert SyncClient(url, verify=ca).health()["status"] == "ok"


def test_laptop_sync_refuses_an_untrusted_server_and_sends_with_the_bundle(https_server, data_dir):
    url, ca, engine = https_server
    accounts.add_user(engine, "petugas", "officer", PASSWORD)
    ws = open_as(data_dir, "petugas")
    try:
        person = enrolment.enrol(ws, replace(make(), nik=nik_for(dt.date(1981, 2, 3), "L", 5)))
        with pytest.raises(SyncError) as err:
            sync.sync_now(ws, url, "petugas", PASSWORD)
        assert err.value.code == "tls"
        with ws.store.sessions() as s:
            assert s.scalar(select(m.Participant.sync_state).where(m.Participant.uuid == person.uuid)) == "pending"
            assert s.scalar(select(m.SyncBatch.id)) is None  # nothing prepared, nothing sent
        assert sync.sync_now(ws, url, "petugas", PASSWORD, verify=ca).counts == {"accepted": 1}
    finally:
        ws.close()
