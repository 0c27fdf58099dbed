"""Privacy requests to support (P20): a thread with a due date one calendar month out."""
