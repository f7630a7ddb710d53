using System;

namespace S4Seg {

/// <summary>
/// A C# array pinned for one native call, as the wrapper receives it: its address and element
/// count, or count -1 for a null array (so that C can tell "no buffer" from "empty buffer").
/// Built only by the generated proxies, inside the <c>fixed</c> block that pins the array.
/// </summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
internal unsafe struct NativeSpan {
  private readonly IntPtr data;
  private readonly long count;

  /// <summary>Describes <paramref name="array"/>, already pinned at <paramref name="pinned"/>.</summary>
  internal NativeSpan(void* pinned, Array array) {
    data = (IntPtr)pinned;
    count = array == null ? -1 : array.LongLength;
  }
}

}
