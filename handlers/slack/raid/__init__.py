"""The RAID log in Slack."""
