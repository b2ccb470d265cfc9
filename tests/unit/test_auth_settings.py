"""The HUB_AUTH_* and HUB_JWT_* settings (hub/auth.py): defaults, parsing, errors naming them."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from hub.settings import Settings, SettingsError

SECRET = "s" * 32


def _pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> str:
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public.decode()


def test_by_default_keys_are_cached_30_seconds_and_no_token_is_accepted() -> None:
    settings = Settings.from_environ({})
    assert settings.auth_cache_s == 30
    assert settings.jwt_secret is None and settings.jwt_public_key is None


def test_the_jwt_secret_is_masked() -> None:
    settings = Settings.from_environ({"HUB_JWT_SECRET": SECRET, "HUB_JWT_ISSUER": "https://id"})
    assert str(settings.jwt_secret) == SECRET and SECRET not in repr(settings)
    assert settings.jwt_issuer == "https://id"


def test_a_public_key_may_use_escaped_line_breaks() -> None:
    pem = _pem(ec.generate_private_key(ec.SECP256R1()))
    settings = Settings.from_environ({"HUB_JWT_PUBLIC_KEY": pem.replace("\n", "\\n")})
    assert settings.jwt_public_key == pem


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"HUB_AUTH_CACHE_S": "-1"}, "HUB_AUTH_CACHE_S"),
        ({"HUB_AUTH_CACHE_S": "soon"}, "HUB_AUTH_CACHE_S"),
        ({"HUB_JWT_SECRET": "short"}, "HUB_JWT_SECRET"),
        ({"HUB_JWT_PUBLIC_KEY": "not a key"}, "HUB_JWT_PUBLIC_KEY"),
        (
            {"HUB_JWT_PUBLIC_KEY": _pem(ec.generate_private_key(ec.SECP384R1()))},
            "HUB_JWT_PUBLIC_KEY",
        ),
        ({"HUB_JWT_SECRET": SECRET, "HUB_JWT_PUBLIC_KEY": "x"}, "HUB_JWT_PUBLIC_KEY"),
        ({"HUB_JWT_ISSUER": "https://id"}, "HUB_JWT_ISSUER"),
        ({"HUB_JWT_AUDIENCE": "hub"}, "HUB_JWT_AUDIENCE"),
    ],
    ids=[
        "negative cache",
        "cache not a number",
        "short secret",
        "not a PEM",
        "P-384 key",
        "secret and key",
        "issuer alone",
        "audience alone",
    ],
)
def test_a_bad_auth_setting_is_refused_naming_the_variable(
    environ: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_environ(environ)


def test_an_rsa_key_is_accepted() -> None:
    pem = _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    assert Settings.from_environ({"HUB_JWT_PUBLIC_KEY": pem}).jwt_public_key == pem
