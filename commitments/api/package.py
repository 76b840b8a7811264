"""The whole register as one download: the data package (a zip of CSV files described by a
Frictionless `datapackage.json`) and the same tables as one Excel workbook. The API's
authentication, read rule and throttles apply to them as to every other endpoint."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer

from .. import exports
from ..exports.package import write_package
from ..exports.workbook import write_package_workbook
from .exports import FirstRenderer
from .release_reads import ReleaseReadMixin
from .releases import package_response

ZIP_TYPE = "application/zip"


class PackageView(ReleaseReadMixin, GenericAPIView):
    """Base of the two downloads: no filters, no pagination; errors (401, 429) as JSON."""

    pagination_class = None
    filter_backends = []
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRenderer


class DataPackageZipView(PackageView):
    """Every table of the register as a CSV file (UTF-8, RFC 4180), with `datapackage.json`
    describing each column (type, meaning, allowed values), each table's primary and foreign keys,
    the licence (CC BY 4.0 for the compilation; quoted phrases stay their publishers'), the sources,
    the generation time and a sha256 hash of the data, in the Frictionless Data Package standard.
    Records refer to each other by natural keys (a state's code, a slug, a source's key)."""

    @extend_schema(
        operation_id="data_package_zip",
        tags=["data-package"],
        responses={
            (200, ZIP_TYPE): OpenApiResponse(
                {"contentMediaType": ZIP_TYPE}, description="The data package as a zip file."
            )
        },
    )
    def get(self, request):
        if self.release is not None:  # ?release=N: the package frozen in release N, byte for byte
            return package_response(request, self.release, conditional=False)
        return exports.file_response(write_package, exports.filename("data-package", "zip"), ZIP_TYPE)


class DataPackageXLSXView(PackageView):
    """The data package's tables as one Excel workbook: a first sheet describing the package
    (title, licence, generation time, content hash, and every table's columns with their
    meaning), then one sheet per table with a frozen header and an autofilter."""

    @extend_schema(
        operation_id="data_package_xlsx",
        tags=["data-package"],
        responses={
            (200, exports.XLSX_TYPE): OpenApiResponse(
                {"contentMediaType": exports.XLSX_TYPE},
                description="The workbook: a first sheet describing the package, then one sheet per table.",
            )
        },
    )
    def get(self, request):
        return exports.xlsx_response(write_package_workbook, exports.filename("data-package", "xlsx"))
