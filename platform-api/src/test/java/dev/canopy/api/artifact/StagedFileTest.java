package dev.canopy.api.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A staged upload that cannot be written out is discarded, not left on a full disk until the sweep. */
class StagedFileTest {

    @Test
    void aStagedFileWhoseBufferCannotBeWrittenIsDeletedOnClose(@TempDir Path root) throws Exception {
        // /dev/full answers every write with ENOSPC, as a disk that filled up does.
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "needs /dev/full (Linux)");
        FileSystemArtifactStore store = new FileSystemArtifactStore(root);
        Path staged = Files.createSymbolicLink(root.resolve("upload.part"), full);
        FileSystemArtifactStore.StagedFile upload = store.new StagedFile(staged);
        upload.output().write(new byte[100]); // buffered: nothing reached the device yet

        assertThatThrownBy(upload::close).isInstanceOf(IOException.class);

        assertThat(Files.exists(staged, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }
}
