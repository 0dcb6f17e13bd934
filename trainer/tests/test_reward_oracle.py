"""The official Tool-N1 scorer as a reference oracle for the `official` reward variant.

The block between the markers below is copied verbatim from NVlabs/Tool-N1, commit
f9b48492c7894dcdfeb0431def8bda24249a4e9c, file verl/verl/utils/reward_score/toolcall.py
(validate_result, validate_format, extract_solution_v0, compute_score_v0).
Copyright 2025 NVIDIA CORPORATION & AFFILIATES, licensed under the Apache License, Version 2.0
(http://www.apache.org/licenses/LICENSE-2.0); SPDX-License-Identifier: Apache-2.0.
It lives only in the tests (imported by test_reward_official.py): it is not shipped in the tooln1 package.
"""

# ---- begin verbatim copy (Apache-2.0, NVIDIA) ----
import re
from collections import Counter
import json
import random

def validate_result(result, answer):

    if len(result) == 0 or len(answer) == 0:
        if len(result) == len(answer):
            return 2
        else:
            return 0
    else:
        try:
            counter1_full = Counter((item["name"], json.dumps(item["arguments"], sort_keys=True)) 
                                    for item in result)
            counter2_full = Counter((item["name"], json.dumps(item["arguments"], sort_keys=True)) 
                                    for item in answer)
        except TypeError:
            return 0
        if counter1_full == counter2_full:
            return 2
        
        counter1_name = Counter(item["name"] for item in result)
        counter2_name = Counter(item["name"] for item in answer)

        if counter1_name == counter2_name:
            return 1
        
        return 0

def validate_format(tool_call_list):
    for item in tool_call_list:
        if not isinstance(item, dict):
            return 0
    for item in tool_call_list:
        if "name" not in item.keys() or "arguments" not in item.keys():
            return 0
    return 1

def extract_solution_v0(tool_call_str):
    
    marker = "<|im_start|>assistant"
    index = tool_call_str.rfind(marker)
    if index != -1:
        tool_call_str = tool_call_str[index:]
        
    output_string = tool_call_str

    pattern = r'<tool_call>(.*?)</tool_call>'
    matches = list(re.finditer(pattern, tool_call_str, flags=re.DOTALL))
    if not matches:
        return None, output_string
    last_content = matches[-1].group(1).strip()
    try:
        return json.loads(last_content),output_string
    except json.JSONDecodeError:
        return None, output_string

def compute_score_v0(solution_str, ground_truth, method='strict', json_score=0.1, format_score = 0.3,  name_score = 0.6, score=1):

    answer = json.loads(ground_truth)

    result, output_string = extract_solution_v0(solution_str)

    do_print = random.randint(1, 64) == 1

    if isinstance(result, str):
        try:
            result = json.loads(result)
        except json.JSONDecodeError:
            result = None
            
    if isinstance(result, dict):
        tem = []
        tem.append(result)
        result = tem

    if isinstance(answer, str):
        answer = json.loads(answer)

    if do_print:
        print("************solution_str************")
        print(solution_str)
        print(f"Extracted result: {result}")
        print(f"Solution string: {answer}")

    if result != None:
        if "<think>" not in output_string or "</think>" not in output_string:
            if do_print:
                print("--------"*5+"\n\n")
                print("not thinking:", -1)
            return 0

    if result is None:
        if do_print:
            print("--------"*5+"\n\n")
            print("result is None:", -1)
        return 0
    
    if not validate_format(result):
        if do_print:
            print("--------"*5+"\n\n")
            print("result wrong formate:",-1)
        return 0
    
    if validate_result(result, answer) == 2:
        if do_print:
            print("--------"*5+"\n\n")
            print("get full core:", 1)
        return 1
    else:
        if do_print:
            print("--------"*5+"\n\n")
            print("wrong answer", -1)
        return 0

# ---- end verbatim copy ----
