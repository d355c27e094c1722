import yazl from 'yazl';

/** A real zip of `files` (name → text), every entry dated 1970 so the bytes are reproducible. */
export function zipFiles(files: Record<string, string>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const [name, text] of Object.entries(files))
      zip.addBuffer(Buffer.from(text), name, { mtime: new Date(0) });
    zip.end();
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}
