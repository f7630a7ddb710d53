/*
 * Java layer of the s4seg bindings (package org.s4seg), included by ../s4seg.i.
 *
 * The core declares the handle classes; this file and the java_*.i files it includes make them
 * Java: strings cross as UTF-8 (java_strings.i), errors become S4SegException (java_errors.i),
 * buffers are byte[]/float[]/double[]/long[] or direct NIO buffers (java_buffers.i), handles are
 * AutoCloseable (java_handles.i) and gain allocating conveniences and Javadoc (java_classes.i).
 * Hand-written classes live in src/org/s4seg.
 *
 * SWIG's module class (S4SegNative, named by `swig -module`) and its JNI class stay package-private:
 * the public entry point for module functions is the hand-written facade org.s4seg.S4Seg.
 */

%include "enums.swg"

/* One naming rule: snake_case C names become lowerCamel Java methods (predict_into ->
 * predictInto). The package-private module functions keep their s4b prefix (s4bVersion); S4Seg
 * gives them their public names. */
%rename("%(lowercamelcase)s", %$isfunction) "";

/* The header's enums: status codes are mirrored by the hand-written org.s4seg.Status (which adds
 * UNKNOWN); value types, image modes and dataset layouts become Java enums with their prefixes
 * stripped. */
%ignore s4seg_status;
%rename(ValueType) s4seg_value_type;
%rename(ImageMode) s4seg_image_mode;
%rename(Layout) s4seg_layout;
%rename("%(regex:/^S4SEG_(TYPE_|IMAGE_|LAYOUT_)(.*)$/\\2/)s", %$isenumitem) "";
%javaconst(1); /* enum values are literals in the header */
%typemap(javaclassmodifiers) s4seg_value_type "/** Type of a configuration key's value. */\npublic enum"
%typemap(javaclassmodifiers) s4seg_image_mode "/**
 * How Image.load converts a file's pixels: RGB (3 channels; grey and palette images expanded),
 * GREY (1 channel luminance), INDICES (1 channel raw values: palette PNGs give palette indices, as
 * masks need), AUTO (1 channel for grey files, 3 for colour; palette files become RGB).
 */
public enum"
%typemap(javaclassmodifiers) s4seg_layout "/**
 * The benchmark folder layouts that Dataset.addLayout reads as published: LIST ({@code IMAGE [MASK]}
 * list lines, masks used as stored), VOC (PASCAL VOC 2012 with the SBD masks: JPEGImages/,
 * SegmentationClass/ or SegmentationClassAug/, ImageSets/Segmentation/) and CITYSCAPES
 * (leftImg8bit/ and gtFine/, label ids mapped to the 19 train ids). docs/datasets.md shows the
 * folder trees.
 */
public enum"
/* Java reads each call's outcome in %exception (java_errors.i); these accessors of the last
 * outcome would only ever see the state %exception had just cleared. */
%ignore s4b_last_status;
%ignore s4b_last_message;
%ignore s4b_reset;
/* Version macros are reachable as S4Seg.version(). */
%ignore S4SEG_VERSION_MAJOR;
%ignore S4SEG_VERSION_MINOR;
%ignore S4SEG_VERSION_PATCH;
%ignore S4SEG_VERSION_NUMBER;
/* The add_layout flag is Dataset.IGNORE_MASKS (an int constant, not a long in a public
 * constants interface). */
%ignore S4SEG_DATASET_IGNORE_MASKS;

%pragma(java) moduleclassmodifiers="final class"
%pragma(java) jniclassclassmodifiers="final class"
/* The JNI library loads with the first use of any class: from the path in the system property
 * org.s4seg.library when set, else as s4seg_java from java.library.path. */
%pragma(java) jniclasscode=%{
  static {
    String path = System.getProperty("org.s4seg.library");
    if (path != null && !path.isEmpty()) {
      System.load(path);
    } else {
      System.loadLibrary("s4seg_java");
    }
  }
%}

%include "java/java_strings.i"
%include "java/java_errors.i"
%include "java/java_buffers.i"
%include "java/java_handles.i"
%include "java/java_classes.i"
