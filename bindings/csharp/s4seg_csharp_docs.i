/*
 * Doc comments of the generated C# members (SWIG has no doc comments for C#; the method modifiers
 * carry them). Members that the hand-written partial classes wrap are internal and need none.
 */
%define S4B_CS_DOC(member, text)
%csmethodmodifiers member "/// <summary>" text "</summary>\n  public"
%enddef

S4B_CS_DOC(s4b_config::s4b_config, "A config holding every key at its default.")
S4B_CS_DOC(s4b_config::clone, "An independent copy.")
S4B_CS_DOC(s4b_config::set_int, "Sets an int key (a double key accepts it too).")
S4B_CS_DOC(s4b_config::set_double, "Sets a double key (an int key accepts whole numbers).")
S4B_CS_DOC(s4b_config::set_bool, "Sets a bool key.")
S4B_CS_DOC(s4b_config::set_string, "Sets a string key.")
S4B_CS_DOC(s4b_config::set, "Sets any key from text converted to the key's type (\"0.01\", \"true\", \"resnet18\").")
S4B_CS_DOC(s4b_config::get_int, "Value of an int key.")
S4B_CS_DOC(s4b_config::get_double, "Value of a double key.")
S4B_CS_DOC(s4b_config::get_bool, "Value of a bool key.")
S4B_CS_DOC(s4b_config::get_string, "Any key's value as text.")
S4B_CS_DOC(s4b_config::parse, "Applies `key = value` lines ('#' comments, blank lines skipped); all-or-nothing.")

S4B_CS_DOC(s4b_image::s4b_image, "Copies width x height x channels bytes (1 or 3 channels, rows without padding).")
S4B_CS_DOC(s4b_image::load, "Decodes a PNG or JPEG file; a missing file throws Io, a corrupt one Format.")
S4B_CS_DOC(s4b_image::pixels_into, "Copies the pixels (width x height x channels bytes, rows without padding) into an array of exactly that size.")
S4B_CS_DOC(s4b_image::save_png, "Writes the image as an 8-bit PNG file.")

S4B_CS_DOC(s4b_dataset::s4b_dataset, "An empty dataset.")
S4B_CS_DOC(s4b_dataset::add, "Copies an image (1 or 3 channels) and, when mask is not null, its 1-channel mask of class indices (255 = ignore) of the same width and height.")
S4B_CS_DOC(s4b_dataset::add_list, "Adds the samples of a list file: one `IMAGE [MASK]` per line, paths relative to root.")
S4B_CS_DOC(s4b_dataset::add_layout, "Adds the samples of a benchmark folder as published (root: the folder holding JPEGImages/ for VOC, leftImg8bit/ and gtFine/ for Cityscapes); split is a split name (\"train\", \"val\" ...) or the path of a split file (for Layout.List the list file). All-or-nothing. An unknown layout or flag throws InvalidArgument; a missing root, split file or split folder Io; a split line of three fields Format.")
S4B_CS_DOC(s4b_dataset::set_cache, "Keeps up to bytes of decoded file-backed samples (image + mask pixels) in memory for reuse, least recently used evicted first; 0 (the default) keeps none. Safe while trainers read the dataset.")
S4B_CS_DOC(s4b_dataset::add_synthetic, "Adds count generated images with masks of num_classes classes, reproducible from seed.")
S4B_CS_DOC(s4b_dataset::get_image, "A copy of sample index's image.")
S4B_CS_DOC(s4b_dataset::get_mask, "A copy of sample index's mask, or null when it has none.")

S4B_CS_DOC(s4b_model::s4b_model, "A freshly initialised model from the model.* keys and device of config (null = defaults).")
S4B_CS_DOC(s4b_model::load, "Loads a model file or trainer checkpoint onto device (\"auto\", \"cpu\", \"cuda:N\"; null = \"auto\"); a missing file throws Io.")
S4B_CS_DOC(s4b_model::save, "Saves weights and config (atomically).")
S4B_CS_DOC(s4b_model::get_config, "A copy of the config the model was built with.")
S4B_CS_DOC(s4b_model::load_backbone, "Loads pretrained encoder weights: a torchvision state dict (torch.save file) or a safetensors file. Strict: a missing, unexpected or mis-shaped tensor throws Format naming them and the model is unchanged; a missing file throws Io. Load before creating a trainer.")
S4B_CS_DOC(s4b_model::load_backbone_partial, "As LoadBackbone, but loads the tensors that fit and leaves the others as they are (BackboneReport says which); a file of which nothing fits still throws Format.")
S4B_CS_DOC(s4b_model::backbone_report, "A sentence on the latest encoder load of this model (\"loaded N encoder tensors from ...\", with missing, unexpected or mis-shaped names); empty when none happened.")
S4B_CS_DOC(s4b_model::save_backbone, "Writes the encoder's weights as a safetensors file with torchvision names, which LoadBackbone reads (atomically).")
S4B_CS_DOC(s4b_model::class_name, "The name of class index (0 to NumClasses - 1), from model.class_names.")
S4B_CS_DOC(s4b_model::palette_into, "Copies the class colours (R, G, B per class, from model.palette) into an array of exactly 3 x NumClasses bytes.")
S4B_CS_DOC(s4b_model::predict_into, "Predicts one image into labels (width x height bytes) and, when not null, confidence (width x height top-class probabilities); no allocation.")
S4B_CS_DOC(s4b_model::predict_batch_into, "Predicts count images of one size stored back to back; labels and confidence likewise.")

S4B_CS_DOC(s4b_trainer::s4b_trainer, "A trainer of model on labeled (every sample masked) and, for semi-supervised methods, unlabeled (may be null); config may be null.")
S4B_CS_DOC(s4b_trainer::cancel, "Makes the running (or next) Step throw Cancelled; safe from any thread.")
S4B_CS_DOC(s4b_trainer::save_checkpoint, "Saves weights, config, optimizer and sampling state and the iteration.")
S4B_CS_DOC(s4b_trainer::resume, "Restores the state saved by SaveCheckpoint.")

S4B_CS_DOC(s4b_labeler::s4b_labeler, "A labeler for model with the pseudo.* keys of config (null = defaults).")
S4B_CS_DOC(s4b_labeler::run_into, "Labels one image into caller arrays: labels (width x height, 255 where filtered out), confidence_bytes (null or width x height), predicted and kept (null or one count per class).")

%typemap(csclassmodifiers) enum s4seg_value_type "/// <summary>Kind of value a configuration key holds (ConfigKey.Type).</summary>\npublic enum"
%csattributes S4SEG_TYPE_INT "/// <summary>A 64-bit integer (Config.GetInt).</summary>"
%csattributes S4SEG_TYPE_DOUBLE "/// <summary>A double (Config.GetDouble).</summary>"
%csattributes S4SEG_TYPE_BOOL "/// <summary>A bool (Config.GetBool).</summary>"
%csattributes S4SEG_TYPE_STRING "/// <summary>Text (Config.GetString).</summary>"

%typemap(csclassmodifiers) enum s4seg_image_mode "/// <summary>How Image.Load converts a file's pixels.</summary>\npublic enum"
%csattributes S4SEG_IMAGE_RGB "/// <summary>3 channels; grey and palette images are expanded.</summary>"
%csattributes S4SEG_IMAGE_GREY "/// <summary>1 channel of luminance.</summary>"
%csattributes S4SEG_IMAGE_INDICES "/// <summary>1 channel of raw values: palette PNGs give palette indices (masks).</summary>"
%csattributes S4SEG_IMAGE_AUTO "/// <summary>1 channel for grey files, 3 for colour; palette files give RGB.</summary>"

%typemap(csclassmodifiers) enum s4seg_layout "/// <summary>Benchmark folder layouts that Dataset.AddLayout reads as published (docs/datasets.md shows the trees).</summary>\npublic enum"
%csattributes S4SEG_LAYOUT_LIST "/// <summary>`IMAGE [MASK]` list lines, masks used as stored (as Dataset.AddList).</summary>"
%csattributes S4SEG_LAYOUT_VOC "/// <summary>PASCAL VOC 2012 (+SBD masks): JPEGImages/, SegmentationClass/ or SegmentationClassAug/, ImageSets/Segmentation/.</summary>"
%csattributes S4SEG_LAYOUT_CITYSCAPES "/// <summary>Cityscapes: leftImg8bit/ and gtFine/; label ids are mapped to the 19 train ids.</summary>"
%typemap(csclassmodifiers) enum s4seg_method_flag "/// <summary>What a training method can do (the bits of MethodInfo's properties).</summary>\npublic enum"
%csattributes S4SEG_METHOD_USES_UNLABELED "/// <summary>Learns from an unlabeled dataset.</summary>"
%csattributes S4SEG_METHOD_SKIPS_ON_DEVICE "/// <summary>May queue iterations: train.read_every above 1.</summary>"
%csattributes S4SEG_METHOD_DATA_PARALLEL "/// <summary>May run with dist.world above 1.</summary>"
%csattributes S4SEG_METHOD_MEAN_TEACHER "/// <summary>An EMA teacher labels the unlabeled images; the model holds the teacher.</summary>"
