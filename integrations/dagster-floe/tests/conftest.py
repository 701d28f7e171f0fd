"""The tests run the floe binary FLOE_BINARY names (scripts/test.sh sets it to the debug build) on
a copy of the e-commerce demo in a scratch directory."""

import os
import shutil
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def floe_binary() -> str:
    binary = os.environ.get("FLOE_BINARY") or str(REPOSITORY / ".build" / "debug" / "floe")
    if not Path(binary).is_file():
        pytest.fail(f"no floe binary at {binary}: build it (swift build --product floe) or set FLOE_BINARY")
    return binary


@pytest.fixture
def ecommerce(tmp_path: Path) -> Path:
    """A copy of the e-commerce demo, its platform.yaml beside floe.yaml."""
    product = tmp_path / "ecommerce"
    shutil.copytree(REPOSITORY / "demo" / "data_engineering" / "ecommerce", product,
                    ignore=shutil.ignore_patterns("target", ".floe"))
    shutil.copy(REPOSITORY / "demo" / "platform" / "platform.yaml", product / "platform.yaml")
    return product
