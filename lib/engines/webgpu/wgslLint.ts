/**
 * A check of generated WGSL for a construct that compiled differently on two WebGPU backends: a
 * function-scope `var` without initializer declared inside a loop body. WGSL zeroes it on every
 * pass; Dawn's OpenGL ES backend (llvmpipe) did, NVIDIA's Vulkan driver on an H200 zeroed it once,
 * at function entry, so values leaked from one loop pass into the next (the fused kernel's partial
 * logits carried from one SGD step into the next). The kernels declare such variables outside
 * their loops and zero them explicitly.
 */

/** One offending declaration: its line (1-based) and text. */
export interface LoopDeclaration {
  line: number;
  text: string;
}

/**
 * Function-scope `var name: T;` declarations (no initializer) that sit inside a `for`, `loop` or
 * `while` body of `wgsl`. Braces are counted per line, so the code is expected one statement per
 * line as the generators write it (single-line loops `for (…) { … }` are handled).
 */
export function loopDeclarationsWithoutInitializer(wgsl: string): LoopDeclaration[] {
  const out: LoopDeclaration[] = [];
  const stack: boolean[] = []; // per open brace: whether it opens a loop body
  wgsl.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\/\/.*$/, '');
    // scan the line's tokens in order: loop headers, braces and declarations
    const re = /\b(for|loop|while)\b|\{|\}|\bvar\s+([A-Za-z_]\w*)\s*:[^=;]*;/g;
    let pendingLoop = false;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      if (m[1]) pendingLoop = true;
      else if (m[0] === '{') {
        stack.push(pendingLoop);
        pendingLoop = false;
      } else if (m[0] === '}') stack.pop();
      else if (m[2] && stack.some((isLoop) => isLoop)) out.push({ line: i + 1, text: raw.trim() });
    }
  });
  return out;
}
