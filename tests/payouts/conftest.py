from tests.messaging.conftest import smtp, smtp_down  # noqa: F401 - fixtures: a real SMTP server
from tests.stories.helpers import clock  # noqa: F401 - fixture
