"""Reading a text file in chunks of whole lines for Arrow's CSV and JSON readers, keeping
the line number of every line, so that errors name the line a bad record is on. Blank
lines are left out (they hold no record)."""

from typing import BinaryIO, List, Optional, Tuple

CHUNK_BYTES = 1 << 20


class LineChunks:
    def __init__(self, file: BinaryIO, chunk_bytes: int = CHUNK_BYTES):
        self._file = file
        self._chunk_bytes = chunk_bytes
        self._rest = b""
        self._line_number = 0
        self._ended = False

    def position(self) -> Tuple[int, int]:
        """The byte offset and line number after the lines returned so far."""
        return self._file.tell() - len(self._rest), self._line_number

    def seek(self, position: Tuple[int, int]) -> None:
        offset, self._line_number = position
        self._file.seek(offset)
        self._rest = b""
        self._ended = False

    def next_lines(self) -> Optional[Tuple[List[bytes], List[int]]]:
        """Returns the next non-blank lines (without line breaks) and their line numbers,
        or None at the end of the file."""
        while not self._ended:
            data = self._file.read(self._chunk_bytes)
            if data:
                data = self._rest + data
                cut = data.rfind(b"\n")
                if cut < 0:
                    # A line longer than a chunk: keep reading until it ends.
                    self._rest = data
                    continue
                self._rest = data[cut + 1:]
                data = data[:cut]
            else:
                self._ended = True
                data, self._rest = self._rest, b""
                if not data:
                    return None
            lines, numbers = [], []
            number = self._line_number
            for line in data.split(b"\n"):
                number += 1
                if line.endswith(b"\r"):
                    line = line[:-1]
                if line.strip():
                    lines.append(line)
                    numbers.append(number)
            self._line_number = number
            if lines:
                return lines, numbers
        return None
