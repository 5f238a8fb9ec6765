"""HTTPS on the home network: a small certificate authority of Scapula's own and a server
certificate for this machine's addresses and ``.local`` name.

A phone's browser gives the camera only to a secure page, and a page from
``http://192.168.1.20:8000`` is not one. ``scapula serve --https`` therefore serves TLS with a
certificate made here, on first use, with the ``cryptography`` package:

* the CA (``ca.pem``, key ``ca-key.pem``): ECDSA P-256, valid ten years, and name-constrained:
  it can only vouch for private network addresses, this machine's own addresses, ``.local``
  and ``localhost`` names and the names given with ``--allow-host``. Trusting it on a phone
  therefore lets it vouch for nothing on the internet;
* the server certificate (``server.pem``, key ``server-key.pem``): every name and address of
  ``ServerNames``, valid 397 days, signed by the CA.

Both live in ``<data dir>/tls`` (keys mode 0600). ``ensure_certificates`` is called at every
start: what is missing, unreadable, expiring within ``RENEW_BEFORE``, not signed by the CA
(a foreign certificate) or not naming every current address is made again; a certificate
still good is kept, so a phone that trusts the CA keeps trusting the server.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
CA_DAYS = 3650
SERVER_DAYS = 397  # the longest any browser accepts for a server certificate
RENEW_BEFORE = timedelta(days=30)
CA_RENEW_BEFORE = timedelta(days=90)
# the addresses a home network hands out: the CA may vouch for these (and this machine's own)
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "100.64.0.0/10",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
    )
)
LOCAL_DOMAINS = ("local", "localhost")


@dataclass(frozen=True)
class ServerNames:
    """What the server certificate names: host names (lower case) and IP addresses."""

    dns: tuple[str, ...]
    ips: tuple[IP, ...]

    def all(self) -> tuple[str, ...]:
        return (*self.dns, *(str(ip) for ip in self.ips))


@dataclass(frozen=True)
class Certificates:
    folder: Path
    made: tuple[str, ...] = field(default=())  # what was (re)made at this start, and why

    @property
    def ca(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def cert(self) -> Path:
        return self.folder / "server.pem"

    @property
    def key(self) -> Path:
        return self.folder / "server-key.pem"

    def ca_der(self) -> bytes:
        return x509.load_pem_x509_certificate(self.ca.read_bytes()).public_bytes(serialization.Encoding.DER)

    def ca_fingerprint(self) -> str:
        """The CA's SHA-256 fingerprint as the phones show it (AB:CD:...)."""
        digest = x509.load_pem_x509_certificate(self.ca.read_bytes()).fingerprint(hashes.SHA256())
        return ":".join(f"{b:02X}" for b in digest)


# ---------------------------------------------------------------- this machine's names


def local_name(hostname: str | None = None) -> str:
    """The machine's mDNS name: ``<host name>.local``."""
    first = (hostname or socket.gethostname()).split(".")[0].lower()
    return f"{first}.local"


def machine_addresses() -> list[IP]:
    """This machine's addresses other phones can reach: the one each address family routes
    out of (found by "connecting" a UDP socket, which sends nothing) and those its host name
    resolves to. Loopback and link-local addresses are left out."""
    found: list[IP] = []
    for family, target in ((socket.AF_INET, "10.255.255.255"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((target, 9))
                found.append(ipaddress.ip_address(s.getsockname()[0]))
        except OSError:
            pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            found.append(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
    except (OSError, ValueError):
        pass
    out: list[IP] = []
    for ip in found:
        if not (ip.is_loopback or ip.is_link_local or ip.is_unspecified) and ip not in out:
            out.append(ip)
    return out


def server_names(host: str, extra: Iterable[str] = (), addresses: Iterable[IP] | None = None) -> ServerNames:
    """The names a server bound to ``host`` answers to: loopback, the machine's addresses
    (or only ``host`` when it is one specific address), its ``.local`` name and ``extra``."""
    ips: list[IP] = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    try:
        bound = ipaddress.ip_address(host)
    except ValueError:
        bound = None
    if bound is not None and not bound.is_unspecified:
        ips.append(bound)
    else:
        ips.extend(machine_addresses() if addresses is None else addresses)
    dns = ["localhost", local_name()]
    for name in extra:
        try:
            ips.append(ipaddress.ip_address(name))
        except ValueError:
            dns.append(name.lower())
    return ServerNames(tuple(dict.fromkeys(dns)), tuple(dict.fromkeys(ips)))


# ---------------------------------------------------------------- making and checking


def ensure_certificates(folder: Path, names: ServerNames, now: datetime | None = None) -> Certificates:
    """The CA and a server certificate for ``names`` in ``folder``, made or renewed as needed."""
    now = now or datetime.now(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    made: list[str] = []
    ca_cert, ca_key = _load_pair(folder / "ca.pem", folder / "ca-key.pem")
    why = _ca_problem(ca_cert, ca_key, names, now)
    if why is not None:
        ca_cert, ca_key = _make_ca(names, now)
        _write(folder / "ca-key.pem", _key_pem(ca_key), private=True)
        _write(folder / "ca.pem", ca_cert.public_bytes(serialization.Encoding.PEM))
        made.append(f"certificate authority ({why})")
    assert ca_cert is not None and ca_key is not None
    cert, key = _load_pair(folder / "server.pem", folder / "server-key.pem")
    why = _server_problem(cert, key, ca_cert, names, now)
    if why is not None:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _make_server(names, key, ca_cert, ca_key, now)
        _write(folder / "server-key.pem", _key_pem(key), private=True)
        _write(folder / "server.pem", cert.public_bytes(serialization.Encoding.PEM))
        made.append(f"server certificate ({why})")
    return Certificates(folder, tuple(made))


def _load_pair(cert_path: Path, key_path: Path):
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None, None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None, None
    return cert, key


def _same_key(cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> bool:
    fmt = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return cert.public_key().public_bytes(*fmt) == key.public_key().public_bytes(*fmt)


def _ca_problem(cert, key, names: ServerNames, now: datetime) -> str | None:
    if cert is None:
        return "none yet"
    if not _same_key(cert, key):
        return "its key does not match"
    try:
        if not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            return "not a CA"
        constraints = cert.extensions.get_extension_for_class(x509.NameConstraints).value
    except x509.ExtensionNotFound:
        return "not a CA of Scapula's"
    if cert.not_valid_after_utc - now < CA_RENEW_BEFORE:
        return "expires soon" if cert.not_valid_after_utc > now else "expired"
    if cert.not_valid_before_utc > now:
        return "not valid yet"
    outside = [n for n in names.all() if not _permitted(constraints, n)]
    if outside:
        return f"cannot vouch for {', '.join(outside)}"
    return None


def _server_problem(cert, key, ca: x509.Certificate, names: ServerNames, now: datetime) -> str | None:
    if cert is None:
        return "none yet"
    if not _same_key(cert, key):
        return "its key does not match"
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return "not signed by Scapula's certificate authority"
    if cert.not_valid_after_utc - now < RENEW_BEFORE:
        return "expires soon" if cert.not_valid_after_utc > now else "expired"
    if cert.not_valid_before_utc > now:
        return "not valid yet"
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return "names nothing"
    has = {n.lower() for n in san.get_values_for_type(x509.DNSName)} | set(san.get_values_for_type(x509.IPAddress))
    missing = [str(n) for n in (*names.dns, *names.ips) if n not in has]
    if missing:
        return f"does not name {', '.join(missing)}"
    return None


def _permitted(constraints: x509.NameConstraints, name: str) -> bool:
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        ip = None
    for general in constraints.permitted_subtrees or ():
        if ip is not None and isinstance(general, x509.IPAddress):
            network = general.value
            if isinstance(network, ipaddress.IPv4Network | ipaddress.IPv6Network) and ip in network:
                return True
        if ip is None and isinstance(general, x509.DNSName):
            base = general.value.lower()
            if name == base or name.endswith("." + base):
                return True
    return False


def _make_ca(names: ServerNames, now: datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Scapula"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Scapula local CA ({local_name()} {now:%Y-%m-%d})"),
        ]
    )
    networks = list(PRIVATE_NETWORKS)
    for ip in names.ips:  # a public address of this machine: that one address only
        if not any(ip in n for n in networks):
            networks.append(ipaddress.ip_network(ip))
    domains = list(LOCAL_DOMAINS)
    domains += [n for n in names.dns if not any(n == d or n.endswith("." + d) for d in domains)]
    permitted: list[x509.GeneralName] = [x509.DNSName(d) for d in domains]
    permitted += [x509.IPAddress(n) for n in networks]
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _make_server(
    names: ServerNames, key: ec.EllipticCurvePrivateKey, ca: x509.Certificate, ca_key, now: datetime
) -> x509.Certificate:
    alt: list[x509.GeneralName] = [x509.DNSName(n) for n in names.dns]
    alt += [x509.IPAddress(ip) for ip in names.ips]
    ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names.dns[0] if names.dns else "scapula")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(min(now + timedelta(days=SERVER_DAYS), ca.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, private: bool = False) -> None:
    """Written whole under a temporary name, then renamed: a crash leaves the old file or the
    new one, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)
