"""The official Jupyter kernel conformance suite (jupyter_kernel_test) for the trainset kernel.

Run by test/integration/kernel/conformance.test.ts with JUPYTER_PATH pointing at a temp-installed
kernel spec; can also be run by hand:  JUPYTER_PATH=... python3 -m unittest test_trainset_kernel
"""
import unittest

import jupyter_kernel_test


class TrainsetKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "trainset"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world");'
    code_stderr = 'console.error("oops");'

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "const greeting: string = 'hi'; greeting.toUpperCase()", "result": "'HI'"},
        {"code": "[1, 2, 3].map((n) => n * 2)", "result": "[ 2, 4, 6 ]"},
    ]
    code_history_pattern = "1 ?*"
    supported_history_operations = ("tail", "range", "search")

    code_display_data = [
        {"code": 'import { display } from "trainset"; display.html("<b>bold</b>");', "mime": "text/html"},
        {"code": 'import { display } from "trainset"; display.markdown("# title");', "mime": "text/markdown"},
        {
            "code": 'import { display } from "trainset"; display.vegaLite({ data: { values: [{ x: 1 }] }, mark: "point", encoding: { x: { field: "x", type: "quantitative" } } });',
            "mime": "application/vnd.vegalite.v5+json",
        },
    ]

    code_generate_error = 'throw new Error("boom");'
    code_clear_output = 'import { display } from "trainset"; display.clear();'

    completion_samples = [
        {"text": "const zebraCount = 1; zebraC", "matches": {"zebraCount"}},
        {"text": "Math.fl", "matches": {"floor"}},
    ]
    complete_code_samples = ["1 + 1", "const x = 1;", "function f() { return 1; }"]
    incomplete_code_samples = ["function f() {", "const x = [1, 2,", "if (true) {\n  console.log(1);"]
    invalid_code_samples = ["const = ;", "1 +* 2", "}"]

    code_inspect_sample = "Math.max"


if __name__ == "__main__":
    unittest.main()
