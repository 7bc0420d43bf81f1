"""The platform-neutral chat edge: what every channel shares."""
