"""Microsoft Teams: the Bot Framework adapter, activities, sending, cards, signing keys."""
