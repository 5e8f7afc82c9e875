// Jest global setup (runs in the parent process, before workers start, so they inherit it):
// Mesa's EGL needs EGL_PLATFORM=surfaceless for a headless WebGPU adapter over OpenGL ES. Jest
// gives each test file a copy of process.env, so the library cannot set it from inside a test.
module.exports = async () => {
  if (!process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
};
