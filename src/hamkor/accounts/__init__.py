"""People who sign in: users with one role each, their API tokens."""
