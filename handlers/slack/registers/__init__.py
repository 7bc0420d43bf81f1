"""The registers in Block Kit: RACI, dependencies, the project register, documents."""
