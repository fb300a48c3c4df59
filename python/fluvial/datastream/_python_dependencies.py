"""StreamExecutionEnvironment.add_python_file: Python code the job's functions import.

PyFlink ships such files to its Python workers and puts them on their PYTHONPATH. Fluvial
runs the functions in the program's own interpreter, so the file's location goes on this
process's sys.path: a module file's directory, a package directory's parent, or an archive
(.zip, .whl, .egg) itself — whatever makes ``import <name>`` find it, as on a PyFlink worker.
"""

import os
import sys


class PythonDependencies:
    def add_python_file(self, file_path: str) -> None:
        """Makes a .py file, a package directory or a zip/wheel/egg archive importable by the
        job's functions.

        Examples:
            >>> import os, tempfile
            >>> from fluvial.datastream import StreamExecutionEnvironment
            >>> folder = tempfile.mkdtemp()
            >>> with open(os.path.join(folder, "helpers_for_doc.py"), "w") as f:
            ...     _ = f.write("def twice(x):\\n    return 2 * x\\n")
            >>> env = StreamExecutionEnvironment.get_execution_environment()
            >>> env.add_python_file(os.path.join(folder, "helpers_for_doc.py"))
            >>> def apply(x):
            ...     from helpers_for_doc import twice
            ...     return twice(x)
            >>> sorted(env.from_collection([1, 2]).map(apply).execute_and_collect())
            [2, 4]
        """
        path = os.path.abspath(os.path.expanduser(str(file_path)))
        if not os.path.exists(path):
            raise FileNotFoundError(f"add_python_file: {file_path!r} does not exist")
        if os.path.isdir(path):
            entry = os.path.dirname(path.rstrip(os.sep))  # `import <directory name>`
        elif path.endswith((".zip", ".whl", ".egg")):
            entry = path
        elif path.endswith(".py"):
            entry = os.path.dirname(path)
        else:
            raise ValueError(f"add_python_file: {file_path!r} is not a .py file, a package directory or a "
                             f".zip/.whl/.egg archive")
        if entry not in sys.path:
            sys.path.append(entry)
