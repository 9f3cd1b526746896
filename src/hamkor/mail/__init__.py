"""Mail to people: a letter said in its reader's language (`letter`), kept in the outbox table until it is
sent (`outbox`), sent over SMTP (`smtp`)."""
