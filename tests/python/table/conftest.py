import sys
from pathlib import Path

import pytest

from fluvial.table import EnvironmentSettings, TableEnvironment


@pytest.fixture(params=["streaming", "batch"])
def t_env(request):
    settings = (EnvironmentSettings.in_streaming_mode() if request.param == "streaming"
                else EnvironmentSettings.in_batch_mode())
    return TableEnvironment.create(settings)


@pytest.fixture
def stream_env():
    return TableEnvironment.create(EnvironmentSettings.in_streaming_mode())


# The Redis and PostgreSQL fixtures of the DataStream connector tests serve the lookup joins too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "datastream"))
