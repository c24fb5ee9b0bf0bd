"""Helpers the test modules import (never conftest): settings, a resident's journey, a reports dataset."""
