"""The certificates of ``scapula serve --https``: the chain verifies with the generated CA for
every name it gives, with cryptography's own path builder (web PKI rules: SAN, key usage,
name constraints) and with a real TLS handshake; what is expired, foreign or missing a
name is made again, what is good is kept; the CA vouches for nothing on the internet."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from scapula.web.tls import ServerNames, ensure_certificates, server_names

pytestmark = pytest.mark.fast
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
NAMES = ServerNames(
    dns=("localhost", "runner-laptop.local", "scapula.home.arpa"),
    ips=tuple(ipaddress.ip_address(a) for a in ("127.0.0.1", "::1", "192.168.1.20", "203.0.113.7", "fd00::2")),
)


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _verifier(ca: x509.Certificate, name: str, when: datetime):
    try:
        subject: x509.DNSName | x509.IPAddress = x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        subject = x509.DNSName(name)
    return PolicyBuilder().store(Store([ca])).time(when).build_server_verifier(subject)


def test_the_chain_verifies_for_every_name_and_address(tmp_path: Path) -> None:
    certs = ensure_certificates(tmp_path, NAMES, NOW)
    ca, leaf = _load(certs.ca), _load(certs.cert)
    for name in NAMES.all():
        chain = _verifier(ca, name, NOW + timedelta(days=1)).verify(leaf, [])
        assert chain[-1] == ca, name
    with pytest.raises(VerificationError):  # a name it was not made for
        _verifier(ca, "other.local", NOW).verify(leaf, [])
    with pytest.raises(VerificationError):  # and not after it expires
        _verifier(ca, "localhost", NOW + timedelta(days=400)).verify(leaf, [])
    assert len(certs.made) == 2
    for key in ("ca-key.pem", "server-key.pem"):
        assert (tmp_path / key).stat().st_mode & 0o777 == 0o600


def test_the_ca_cannot_vouch_for_an_internet_name(tmp_path: Path) -> None:
    """Whoever got the CA's key could still not impersonate a bank to a phone that trusts it."""
    certs = ensure_certificates(tmp_path, NAMES, NOW)
    ca = _load(certs.ca)
    ca_key = serialization.load_pem_private_key((tmp_path / "ca-key.pem").read_bytes(), None)
    key = ec.generate_private_key(ec.SECP256R1())
    for name, alt in (
        ("bank.example.com", x509.DNSName("bank.example.com")),
        ("8.8.8.8", x509.IPAddress(ipaddress.ip_address("8.8.8.8"))),
    ):
        forged = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(1)
            .not_valid_before(NOW - timedelta(days=1))
            .not_valid_after(NOW + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.public_key()),  # type: ignore[arg-type]
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
        )
        with pytest.raises(VerificationError):
            _verifier(ca, name, NOW).verify(forged, [])


def test_a_good_certificate_is_kept_and_a_renewed_one_still_chains_to_the_same_ca(tmp_path: Path) -> None:
    first = ensure_certificates(tmp_path, NAMES, NOW)
    ca_pem, leaf_pem = first.ca.read_bytes(), first.cert.read_bytes()
    again = ensure_certificates(tmp_path, NAMES, NOW + timedelta(days=100))
    assert again.made == () and again.cert.read_bytes() == leaf_pem
    # 20 days before it expires: a new server certificate, the same CA (phones keep trusting it)
    late = NOW + timedelta(days=377)
    renewed = ensure_certificates(tmp_path, NAMES, late)
    assert renewed.made == ("server certificate (expires soon)",)
    assert renewed.ca.read_bytes() == ca_pem and renewed.cert.read_bytes() != leaf_pem
    _verifier(_load(renewed.ca), "192.168.1.20", late + timedelta(days=60)).verify(_load(renewed.cert), [])


def test_expired_foreign_and_incomplete_certificates_are_replaced(tmp_path: Path) -> None:
    ensure_certificates(tmp_path, NAMES, NOW)
    # expired (the machine was off for years): both made again
    later = NOW + timedelta(days=3700)
    out = ensure_certificates(tmp_path, NAMES, later)
    assert out.made == (
        "certificate authority (expired)",
        "server certificate (not signed by Scapula's certificate authority)",
    )
    _verifier(_load(out.ca), "runner-laptop.local", later).verify(_load(out.cert), [])

    # a foreign certificate in the server's place (another CA's, its own key beside it)
    other = tmp_path / "other"
    ensure_certificates(other, NAMES, later)
    for name in ("server.pem", "server-key.pem"):
        (tmp_path / name).write_bytes((other / name).read_bytes())
    out = ensure_certificates(tmp_path, NAMES, later)
    assert out.made == ("server certificate (not signed by Scapula's certificate authority)",)
    _verifier(_load(out.ca), "localhost", later).verify(_load(out.cert), [])

    # the machine got a new address on the network: the certificate is made for it
    moved = ServerNames(NAMES.dns, (*NAMES.ips, ipaddress.ip_address("10.0.0.9")))
    out = ensure_certificates(tmp_path, moved, later)
    assert out.made == ("server certificate (does not name 10.0.0.9)",)
    _verifier(_load(out.ca), "10.0.0.9", later).verify(_load(out.cert), [])

    # a name outside what the CA may vouch for: a new CA (the phone trusts it again)
    wider = ServerNames((*NAMES.dns, "scapula.example.org"), NAMES.ips)
    out = ensure_certificates(tmp_path, wider, later)
    assert out.made[0] == "certificate authority (cannot vouch for scapula.example.org)"
    _verifier(_load(out.ca), "scapula.example.org", later).verify(_load(out.cert), [])

    # garbage in the files
    (tmp_path / "server.pem").write_text("not a certificate")
    assert ensure_certificates(tmp_path, wider, later).made == ("server certificate (none yet)",)


def test_a_real_tls_handshake_trusts_the_ca_for_an_address(tmp_path: Path) -> None:
    certs = ensure_certificates(tmp_path, server_names("127.0.0.1", ["scapula.test"]), datetime.now(UTC))
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(certs.cert, certs.key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve_once() -> None:
        conn, _ = listener.accept()
        try:
            with server_ctx.wrap_socket(conn, server_side=True) as tls:
                tls.sendall(b"hello")
        except ssl.SSLError:
            pass

    for name in ("127.0.0.1", "scapula.test", "wrong.test"):
        thread = threading.Thread(target=serve_once)
        thread.start()
        client = ssl.create_default_context(cafile=str(certs.ca))
        with socket.create_connection(("127.0.0.1", port)) as raw:
            if name == "wrong.test":
                with pytest.raises(ssl.SSLCertVerificationError):
                    client.wrap_socket(raw, server_hostname=name)
            else:
                with client.wrap_socket(raw, server_hostname=name) as tls:
                    assert tls.recv(5) == b"hello"
        thread.join(timeout=10)
    listener.close()


def test_server_names_cover_the_binding() -> None:
    one = server_names("192.168.1.20", ["Scapula.Home.Arpa"])
    assert ipaddress.ip_address("192.168.1.20") in one.ips and "scapula.home.arpa" in one.dns
    assert "localhost" in one.dns and any(n.endswith(".local") for n in one.dns)
    every = server_names("0.0.0.0", addresses=[ipaddress.ip_address("10.1.2.3")])
    assert ipaddress.ip_address("10.1.2.3") in every.ips
    assert ipaddress.ip_address("0.0.0.0") not in every.ips
