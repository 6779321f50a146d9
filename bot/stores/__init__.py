"""Where a participant's session, lock and de-duplication keys live between messages."""

from bot.stores.base import Counted, LockLost, LockTimeout, TurnState, TurnStore
from bot.stores.memory import MemoryStore

__all__ = ["Counted", "LockLost", "LockTimeout", "MemoryStore", "TurnState", "TurnStore"]
