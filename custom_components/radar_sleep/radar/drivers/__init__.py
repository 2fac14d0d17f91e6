"""One module per serial device family: a pure byte parser and a frame assembler each."""
