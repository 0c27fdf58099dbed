"""The local stage: embedded AWS (moto server), bootstrap, demo seed, mailbox, runner."""
