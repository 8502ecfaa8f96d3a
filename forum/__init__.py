"""The forum domain as verb functions: accounts, catalog, threads and posts, moderation."""
