package io.portti.bench;

/** Reading a flag's value off a benchmark's command line. */
final class Flags {

  private Flags() {}

  static String value(String[] args, int index, String flag) {
    if (index >= args.length) throw new IllegalArgumentException(flag + " needs a value");
    return args[index];
  }

  static int number(String[] args, int index, String flag, int min, int max) {
    return number(value(args, index, flag), flag, min, max);
  }

  static int number(String text, String flag, int min, int max) {
    int value;
    try {
      value = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " needs a whole number, not '" + text + "'");
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException(flag + " must be between " + min + " and " + max);
    }
    return value;
  }
}
