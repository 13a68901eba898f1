"""Reference exit planners (SPEC §7): fixed risk:reward, structure based, aggressive."""
