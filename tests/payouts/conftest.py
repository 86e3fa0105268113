from tests.stories.helpers import clock  # noqa: F401 - fixture
