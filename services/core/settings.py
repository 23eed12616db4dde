"""Process configuration from environment variables, with working local defaults."""

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "postgres://postgres:postgres@127.0.0.1:5432/techmarket"
    redis_url: str = "redis://127.0.0.1:6379/0"
    search_url: str = "http://127.0.0.1:9200"
    search_index_prefix: str = "techmarket"
    stripe_api_key: str = "sk_test_TechMarketLocalDevelopment01"
    stripe_api_base: str = "http://127.0.0.1:12111"
    stripe_webhook_secret: str = "whsec_techmarket_local"
    # The platform fee on each milestone payment, in basis points of the amount (100 = 1%).
    platform_fee_bp: int = 100
    secret_key: str = Field(default="dev-secret-change-me-in-production-0123456789", min_length=16)
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"  # where links in outgoing mail point
    host: str = "127.0.0.1"
    environment: str = "development"
    access_token_ttl_seconds: int = 3600 * 8
    search_cache_ttl_seconds: int = 60
    platform_currency: str = "cny"
    log_level: str = "INFO"
    forwarded_allow_ips: str = ""  # the TLS-terminating proxy's address(es), comma-separated
    # Uploaded files (test reports, deliverables): a local directory (`disk`) or an S3-compatible bucket (`s3`).
    files_backend: Literal["disk", "s3"] = "disk"
    files_dir: str = ".data/files"
    s3_endpoint_url: str = ""  # empty: the provider's default endpoint (AWS); MinIO, Ceph, OSS… give theirs
    s3_bucket: str = "techmarket-files"
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    # Outgoing mail: delivered by SMTP when smtp_host is set, else left to the development mail viewer.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = 15.0
    mail_from: str = "科技服务超市 <noreply@techmarket.local>"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once)."""
    return Settings()
