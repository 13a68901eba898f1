"""Reference size planners (SPEC §7): fixed risk, Kelly and aggressive sizing."""
