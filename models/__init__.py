"""SQLAlchemy models, the engine and session factory, and Alembic migrations."""
from models.base import Base, utcnow
from models.catalog import Agency, Topic
from models.accounts import User, ApiToken, UserSession, ModeratorScope, PasswordReset
from models.threads import Thread, Post, PostRevision, Watch, thread_topics
from models.notifications import Notification
from models.moderation import DuplicateLink, MergeRecord, ModerationLog, Report
from models.search import SearchDocument, SearchVector, EmbeddingCacheEntry, IndexEvent, SearchSynonymGroup
from models.ratelimit import RateEvent
from models.insights import AnsweredBeforeAsking, SearchLogEntry

__all__ = [
    "Base", "utcnow", "Agency", "Topic", "User", "ApiToken", "UserSession", "ModeratorScope", "PasswordReset",
    "Thread", "Post", "PostRevision", "Watch", "thread_topics", "Notification",
    "DuplicateLink", "MergeRecord", "ModerationLog", "Report",
    "SearchDocument", "SearchVector", "EmbeddingCacheEntry", "IndexEvent", "RateEvent", "SearchSynonymGroup",
    "AnsweredBeforeAsking",
    "SearchLogEntry",
]
