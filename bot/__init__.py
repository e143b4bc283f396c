"""cassbot: inbox automation for a children's services front door (CASS)."""
