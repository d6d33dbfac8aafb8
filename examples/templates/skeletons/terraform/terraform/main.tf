resource "aws_s3_bucket" "${{ values.name }}" {
  bucket = "${{ values.name }}"
}
