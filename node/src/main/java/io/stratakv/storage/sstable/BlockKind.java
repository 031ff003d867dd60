package io.stratakv.storage.sstable;

/** The kinds of block in a table file; named in every corruption message so an operator knows what broke. */
enum BlockKind {
    DATA("data block"),
    INDEX("index block"),
    FILTER("filter block"),
    PROPERTIES("properties block");

    private final String label;

    BlockKind(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }
}
