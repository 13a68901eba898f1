def walkforward_command(args: object) -> int:
    raise NotImplementedError
