"""The document register: links, versions, approvers and their decisions on each version."""
