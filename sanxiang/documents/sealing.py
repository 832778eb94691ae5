"""The agency's electronic seal on issued PDFs: a PAdES signature (pyHanko) with its certificate.

Issue 10, item 8. Each issuing agency has a signing certificate and key under
``SANXIANG_SEAL_DIR`` (``<dir>/<统一社会信用代码>/cert.pem`` and ``key.pem``; an agency without a
credit code uses ``agency-<id>``), and the directory's ``ca.pem`` holds the chain that validators
trust. The PDF is signed after rendering and before it is stored, so the file's SHA-256 that the
ledger records (``document.issued``) is that of the signed file; anyone can check the signature
offline with pyHanko's validator or poppler's ``pdfsig`` and the agency's CA certificate.

Without a certificate for the agency the document is issued unsealed, as before (a deploy check
warns). A certificate that is not yet valid or has expired refuses the issue (``seal_invalid``):
a document must not carry a seal that a validator would reject.

``make run`` calls ``manage.py seal_keys --demo``, which makes a demo CA and a certificate for each
agency that has none. A real 电子印章 system (GB/T 38540) plugs in at ``sign_pdf``: see
docs/sealing.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils import timezone

from sanxiang.lib.errors import DomainError

FIELD_NAME = "AgencySeal"


@dataclass(frozen=True)
class SealFiles:
    cert: Path
    key: Path
    chain: Path | None


def seal_dir() -> Path:
    return Path(settings.SANXIANG_SEAL_DIR)


def agency_key(agency: Any) -> str:
    return agency.credit_code or f"agency-{agency.pk}"


def files_for(agency: Any) -> SealFiles | None:
    """The agency's certificate and key, or ``None`` when it has none (unsealed documents)."""
    folder = seal_dir() / agency_key(agency)
    cert, key = folder / "cert.pem", folder / "key.pem"
    if not (cert.is_file() and key.is_file()):
        return None
    chain = seal_dir() / "ca.pem"
    return SealFiles(cert=cert, key=key, chain=chain if chain.is_file() else None)


@lru_cache(maxsize=64)
def _signer(cert: str, key: str, chain: str | None, mtime: float) -> Any:
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
        key, cert, ca_chain_files=(chain,) if chain else None
    )
    if signer is None:
        raise DomainError("seal_invalid", "本机关电子印章的证书或密钥无法读取，文书未制发。")
    return signer


def signer_for(agency: Any) -> Any | None:
    """A pyHanko signer for the agency's seal, checked to be valid now; ``None`` if unsealed."""
    files = files_for(agency)
    if files is None:
        return None
    mtime = max(files.cert.stat().st_mtime, files.key.stat().st_mtime)
    signer = _signer(str(files.cert), str(files.key), str(files.chain or "") or None, mtime)
    validity = signer.signing_cert["tbs_certificate"]["validity"]
    now = timezone.now()
    if not validity["not_before"].native <= now <= validity["not_after"].native:
        raise DomainError(
            "seal_invalid",
            f"{agency.name}的电子印章证书不在有效期内"
            f"（{validity['not_before'].native:%Y-%m-%d}至{validity['not_after'].native:%Y-%m-%d}），"
            "文书未制发。请联系管理员更换印章证书。",
        )
    return signer


def sign_pdf(pdf: bytes, signer: Any, *, reason: str, location: str) -> bytes:
    """Add the agency's PAdES signature (an invisible field; the seal image is drawn by the
    template at the 落款) and return the signed file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    data: bytes = out.getvalue()
    return data


@dataclass(frozen=True)
class SealCheck:
    """What a validator says of a PDF's seal."""

    sealed: bool
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the signature is mathematically valid
    trusted: bool  # the certificate chains to a trusted root
    covers_whole_file: bool  # nothing was appended after signing
    signer: str
    signed_at: dt.datetime | None

    @property
    def ok(self) -> bool:
        return (
            self.sealed and self.intact and self.valid and self.trusted and self.covers_whole_file
        )

    @property
    def message(self) -> str:
        if not self.sealed:
            return "该文件未加盖电子印章。"
        if not (self.intact and self.valid):
            return "电子印章校验失败：文件在盖章后被改动。"
        if not self.covers_whole_file:
            return "电子印章有效，但盖章后文件又被追加了内容。"
        if not self.trusted:
            return "电子签名完好，但签章证书不是受信任的机关证书。"
        return f"电子印章有效：{self.signer}。"


def _load_roots(ca_pem: bytes) -> list[Any]:
    from asn1crypto import pem  # type: ignore[import-untyped]
    from asn1crypto import x509 as asn1_x509

    roots = []
    for _, _, der in pem.unarmor(ca_pem, multiple=True):
        roots.append(asn1_x509.Certificate.load(der))
    return roots


def check(pdf: bytes, *, trusted_ca_pem: bytes | None = None) -> SealCheck:
    """Validate the seal of ``pdf`` offline against the CA (by default ``<seal dir>/ca.pem``)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if trusted_ca_pem is None:
        ca = seal_dir() / "ca.pem"
        trusted_ca_pem = ca.read_bytes() if ca.is_file() else b""
    try:
        reader = PdfFileReader(BytesIO(pdf))
        signatures = reader.embedded_signatures
    except Exception:
        signatures = []
    if not signatures:
        return SealCheck(False, False, False, False, False, "", None)
    embedded = signatures[0]
    context = ValidationContext(trust_roots=_load_roots(trusted_ca_pem), allow_fetching=False)
    status = validate_pdf_signature(embedded, context)
    signer = status.signing_cert.subject.native.get("common_name", "")
    coverage = getattr(status, "coverage", None)
    whole = coverage is not None and coverage.name == "ENTIRE_FILE"
    return SealCheck(
        sealed=True,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=whole,
        signer=str(signer),
        signed_at=status.signer_reported_dt,
    )


# -- the demo CA (``manage.py seal_keys --demo``) --------------------------------------------


def _name(common: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def make_ca(folder: Path, *, name: str = "Sanxiang 演示电子印章 CA") -> tuple[bytes, bytes]:
    """A self-signed demo CA in ``folder`` (``ca.pem``, ``ca-key.pem``); returns both PEMs."""
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(name, "Sanxiang 演示"))
        .issuer_name(_name(name, "Sanxiang 演示"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem, key_pem = cert.public_bytes(serialization.Encoding.PEM), _pem_key(key)
    (folder / "ca.pem").write_bytes(cert_pem)
    key_file = folder / "ca-key.pem"
    key_file.write_bytes(key_pem)
    key_file.chmod(0o600)
    return cert_pem, key_pem


def issue_agency_certificate(
    folder: Path,
    agency: Any,
    *,
    ca_cert_pem: bytes,
    ca_key_pem: bytes,
    not_before: dt.datetime | None = None,
    days: int = 825,
) -> Path:
    """A seal certificate for ``agency`` signed by the CA, written to its folder."""
    ca_cert = x509.load_pem_x509_certificate(ca_cert_pem)
    ca_key = serialization.load_pem_private_key(ca_key_pem, password=None)
    if not isinstance(ca_key, rsa.RSAPrivateKey):
        raise TypeError("the demo CA key must be RSA")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = not_before or dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(agency.name, agency.name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
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
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    target = folder / agency_key(agency)
    target.mkdir(parents=True, exist_ok=True)
    (target / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file = target / "key.pem"
    key_file.write_bytes(_pem_key(key))
    key_file.chmod(0o600)
    _signer.cache_clear()
    return target
