"""The lesson catalogue: schema, YAML loading, validation and translation parity."""

from bot.content.catalog import Catalog, Fault, load_catalog
from bot.content.schema import Lesson, Question, Quiz, Step

__all__ = ["Catalog", "Fault", "Lesson", "Question", "Quiz", "Step", "load_catalog"]
